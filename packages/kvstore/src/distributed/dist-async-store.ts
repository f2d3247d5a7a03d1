// MXNet's 'dist_async' store (KVStoreDist in async mode) on MPI point-to-point messages: the last
// DMLC_NUM_SERVER ranks are servers that hold the values and apply each push as it arrives; workers
// push gradients and pull values without waiting for each other (no step-wide barrier), so a slow
// worker never stalls the others. The optimizer runs on the servers: setOptimizer sends its
// registered name and creation options, from which the servers rebuild it (MXNet pickles it).
import { type NDArray, StateError, ValueError } from '@bkt/ndarray';
import type { Optimizer } from '@bkt/optimizer';

import { fmtKey, type KVKey, type KVKeys, type KVValues } from '../arguments.js';
import type { GradientCompressionParams } from '../gradient-compression.js';
import type { KeyGroup, UpdaterFn } from '../kvstore.js';
import { LocalStore } from '../local-store.js';
import { sumOn } from '../reduce.js';
import { bytesOf, numServersFromEnv, sendHeader, serverOf, TAG_DATA, TAG_REPLY, waitAck } from './async-protocol.js';
import { serve } from './async-server.js';
import { type Communicator, communicator } from './mpi.js';

/** This process's dist_async worker stores; one of them says stop to the servers when the process ends normally. */
const workers = new Set<DistAsyncStore>();
let stopHookInstalled = false;

export class DistAsyncStore extends LocalStore {
  readonly #comm: Communicator;
  readonly #numServers: number;

  constructor(type: string) {
    super(type);
    // before the communicator's own exit hook (MPI_Finalize), so the stops still go out
    if (!stopHookInstalled) {
      process.on('exit', (code) => {
        const first = workers.values().next().value;
        if (code === 0 && first !== undefined) first.#stop();
      });
      stopHookInstalled = true;
    }
    const op = `create('${type}')`;
    this.#comm = communicator(op);
    this.#numServers = numServersFromEnv(op, this.#comm.size);
    if (this.#comm.rank >= this.numWorkers) {
      // a server rank serves until every worker stops, then ends the process (as MXNet's servers do)
      serve(this.#comm, this.numWorkers);
      process.exit(0);
    }
    workers.add(this);
  }

  override get rank(): number {
    return this.#comm.rank;
  }

  override get numWorkers(): number {
    return this.#comm.size - this.#numServers;
  }

  #server(key: KVKey): number {
    return serverOf(key, this.numWorkers, this.#numServers);
  }

  /** Rank 0's values go to the servers; every worker waits for them at a barrier. */
  override init(keys: KVKeys, values: KVValues): void {
    const before = new Set(this.stored.keys());
    super.init(keys, values);
    if (this.rank === 0) {
      for (const [key, value] of this.stored) {
        if (before.has(key)) continue;
        const to = this.#server(key);
        sendHeader(this.#comm, to, { op: 'init', key, shape: [...value.shape], dtype: value.dtype });
        this.#comm.wait(this.#comm.send(bytesOf(value), to, TAG_DATA), `init of key ${fmtKey(key)}`);
        waitAck(this.#comm, to, `init of key ${fmtKey(key)}`);
      }
    }
    this.barrier();
  }

  /** Each key's device-summed gradient goes to its server; nothing waits for other workers. */
  protected override pushAll(groups: readonly KeyGroup[]): void {
    for (const g of groups) {
      const local = sumOn(g.arrays, this.stored.get(g.key)!.context);
      try {
        const to = this.#server(g.key);
        sendHeader(this.#comm, to, { op: 'push', key: g.key });
        this.#comm.wait(this.#comm.send(bytesOf(local.array), to, TAG_DATA), `push of key ${fmtKey(g.key)}`);
      } finally {
        if (local.owned) local.array.dispose();
      }
    }
  }

  /** The server's current value, into the local copy, then into the outs. */
  protected override pullKey(group: KeyGroup): void {
    this.#fetch(group.key);
    super.pullKey(group);
  }

  protected override pullKeyRows(group: KeyGroup, rows: readonly (readonly number[])[]): void {
    this.#fetch(group.key);
    super.pullKeyRows(group, rows);
  }

  #fetch(key: KVKey): void {
    const to = this.#server(key);
    sendHeader(this.#comm, to, { op: 'pull', key });
    const local: NDArray = this.stored.get(key)!;
    this.#comm.wait(this.#comm.recv(bytesOf(local), to, TAG_REPLY, new Int32Array(3)), `pull of key ${fmtKey(key)}`);
  }

  /** Rank 0 sends the optimizer's name and options to every server; every worker waits at a barrier. */
  override setOptimizer(optimizer: Optimizer): void {
    super.setOptimizer(optimizer);
    const { lrScheduler, sym, ...options } = optimizer.createOptions;
    if (lrScheduler !== undefined) {
      throw new ValueError(`setOptimizer: the ${this.type} store sends the optimizer to its servers by name and options; an lrScheduler cannot be sent`);
    }
    void sym; // the symbol only names parameters for lr/wd multipliers, which the servers' keys already are
    if (this.rank === 0) {
      for (let s = this.numWorkers; s < this.#comm.size; s++) {
        sendHeader(this.#comm, s, { op: 'optimizer', name: optimizer.name, options });
        waitAck(this.#comm, s, 'setOptimizer');
      }
    }
    this.barrier();
  }

  override setUpdater(_updater: UpdaterFn): void {
    throw new ValueError(`setUpdater: the ${this.type} store updates on its servers, which cannot run a function; use setOptimizer`);
  }

  override setGradientCompression(_params: GradientCompressionParams): void {
    throw new ValueError(`setGradientCompression: the ${this.type} store does not compress gradients (use dist_sync)`);
  }

  override saveOptimizerStates(_path: string): void {
    throw new StateError(`saveOptimizerStates: the ${this.type} store keeps the optimizer states on its servers; saving them is not supported`);
  }

  override loadOptimizerStates(_path: string): void {
    throw new StateError(`loadOptimizerStates: the ${this.type} store keeps the optimizer states on its servers; loading them is not supported`);
  }

  /** Every worker reaches it before any goes on (counted by the first server). */
  override barrier(): void {
    super.barrier();
    sendHeader(this.#comm, this.numWorkers, { op: 'barrier' });
    waitAck(this.#comm, this.numWorkers, 'barrier');
  }

  #stop(): void {
    for (let s = this.numWorkers; s < this.#comm.size; s++) sendHeader(this.#comm, s, { op: 'stop' });
  }
}
