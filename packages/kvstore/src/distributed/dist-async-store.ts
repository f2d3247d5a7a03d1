// MXNet's 'dist_async' store (KVStoreDist in async mode) on MPI point-to-point messages: the last
// DMLC_NUM_SERVER ranks are servers that hold the values and apply each push as it arrives; workers
// push gradients and pull values without waiting for each other (no step-wide barrier), so a slow
// worker never stalls the others. The optimizer runs on the servers: setOptimizer sends its
// registered name and creation options (and its lrScheduler's), from which the servers rebuild it
// (MXNet pickles it). With 2-bit compression each worker quantizes its gradient against its own
// residual and the server decodes the words before the update (MXNet's async server does the same).
import { DTypeError, FormatError, NativeError, type NDArray, StateError, ValueError, writeFileAtomic } from '@bkt/ndarray';
import { getUpdater, Optimizer } from '@bkt/optimizer';
import { readFileSync } from 'node:fs';

import { fmtKey, type KVKey, type KVKeys, type KVValues } from '../arguments.js';
import { GradientCompression, type GradientCompressionParams } from '../gradient-compression.js';
import { checkFlag, type KeyGroup, type UpdaterFn } from '../kvstore.js';
import { LocalStore } from '../local-store.js';
import { sumOn } from '../reduce.js';
import { bytesOf, numServersFromEnv, recvSized, sendHeader, serverOf, TAG_DATA, TAG_REPLY, waitAck } from './async-protocol.js';
import { serve } from './async-server.js';
import { type Communicator, communicator } from './mpi.js';
import { type OptimizerWire, optimizerWire, rebuildOptimizer } from './optimizer-wire.js';
import { mergeServerStates } from './states-merge.js';

/** This process's dist_async worker stores; one of them says stop to the servers when the process ends normally. */
const workers = new Set<DistAsyncStore>();
let stopHookInstalled = false;

export class DistAsyncStore extends LocalStore {
  readonly #comm: Communicator;
  readonly #numServers: number;
  /** The optimizer as the servers got it (null before setOptimizer). */
  #optimizer: OptimizerWire | null = null;
  #compression: GradientCompression | null = null;

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

  /** The server ranks, in order. */
  #servers(): number[] {
    return Array.from({ length: this.#numServers }, (_, i) => this.numWorkers + i);
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
      this.#sendNewMultipliers();
    }
    this.barrier();
  }

  /**
   * Keys that come after setOptimizer (a bucket's own parameters) come with multipliers the optimizer
   * was given for them since (Module's addParamNames: no weight decay for biases, the symbol's
   * `__lr_mult__`): the servers get the optimizer's current ones when they changed.
   */
  #sendNewMultipliers(): void {
    const optimizer = this.optimizerUpdater?.optimizer;
    if (this.#optimizer === null || optimizer === undefined) return;
    const lrMult = [...optimizer.lrMult];
    const wdMult = [...optimizer.wdMult];
    if (JSON.stringify([lrMult, wdMult]) === JSON.stringify([this.#optimizer.lrMult, this.#optimizer.wdMult])) return;
    for (const s of this.#servers()) {
      sendHeader(this.#comm, s, { op: 'multipliers', lrMult, wdMult });
      waitAck(this.#comm, s, 'init (the optimizer multipliers)');
    }
    this.#optimizer = { ...this.#optimizer, lrMult, wdMult };
  }

  protected override checkPush(op: string, group: KeyGroup): void {
    if (this.#compression !== null && group.info.dtype !== 'float32') {
      throw new DTypeError(
        `${op}: 2-bit gradient compression needs float32 gradients but key ${fmtKey(group.key)} is ${group.info.dtype}`,
      );
    }
  }

  /** Each key's device-summed gradient (packed, with compression) goes to its server; nothing waits for other workers. */
  protected override pushAll(groups: readonly KeyGroup[]): void {
    for (const g of groups) {
      const local = sumOn(g.arrays, this.stored.get(g.key)!.context);
      const sent = this.#compression === null ? local.array : this.#compression.quantize(g.key, local.array);
      try {
        const to = this.#server(g.key);
        sendHeader(this.#comm, to, { op: 'push', key: g.key, compressed: this.#compression !== null });
        this.#comm.wait(this.#comm.send(bytesOf(sent), to, TAG_DATA), `push of key ${fmtKey(g.key)}`);
      } finally {
        if (sent !== local.array) sent.dispose();
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

  /** Rank 0 sends the optimizer (name, options, scheduler, multipliers) to every server; every worker waits at a barrier. */
  override setOptimizer(optimizer: Optimizer): void {
    if (!(optimizer instanceof Optimizer)) {
      super.setOptimizer(optimizer); // its ValueError names what was given
      return;
    }
    const wire = optimizerWire(optimizer, this.type); // checked before anything changes
    super.setOptimizer(optimizer);
    if (this.rank === 0) {
      for (const s of this.#servers()) {
        sendHeader(this.#comm, s, { op: 'optimizer', optimizer: wire });
        waitAck(this.#comm, s, 'setOptimizer');
      }
    }
    this.#optimizer = wire;
    this.barrier();
  }

  override setUpdater(_updater: UpdaterFn): void {
    throw new ValueError(
      `setUpdater: the ${this.type} store updates on its servers, which cannot run a function; use setOptimizer`,
    );
  }

  /** Every worker compresses its own pushes; rank 0 tells the servers the threshold; every worker waits at a barrier. */
  override setGradientCompression(params: GradientCompressionParams): void {
    if (this.#compression === null) this.#compression = new GradientCompression(params);
    else this.#compression.setParams(params);
    if (this.rank === 0) {
      for (const s of this.#servers()) {
        sendHeader(this.#comm, s, { op: 'compression', threshold: this.#compression.threshold });
        waitAck(this.#comm, s, 'setGradientCompression');
      }
    }
    this.barrier();
  }

  /** The active compression, or null. */
  get gradientCompression(): GradientCompression | null {
    return this.#compression;
  }

  /** Gathers the servers' states (each holds its keys') into one file; any worker may save, the others need not. */
  override saveOptimizerStates(path: string, dumpOptimizer = false): void {
    const op = 'saveOptimizerStates';
    checkFlag(op, 'dumpOptimizer', dumpOptimizer);
    const wire = this.#requireOptimizer(op);
    const parts = this.#servers().map((s) => {
      sendHeader(this.#comm, s, { op: 'getStates' });
      return recvSized(this.#comm, s, TAG_REPLY, `${op} from server rank ${s}`);
    });
    writeFileAtomic(op, path, mergeServerStates(wire, parts));
  }

  /**
   * Every worker calls it (as setOptimizer): the file is checked here, then rank 0 sends it to every
   * server, which keeps the states of its keys, and the workers meet at a barrier.
   */
  override loadOptimizerStates(path: string): void {
    const op = 'loadOptimizerStates';
    const wire = this.#requireOptimizer(op);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(path));
    } catch (e) {
      throw new NativeError(`${op}: cannot read '${path}': ${(e as Error).message}`);
    }
    // a bad file is a typed error here rather than a dead server
    const check = getUpdater(rebuildOptimizer(wire));
    try {
      check.setStates(bytes);
    } catch (e) {
      throw e instanceof FormatError ? new FormatError(`${op}: '${path}': ${e.message}`) : e;
    } finally {
      check.dispose();
    }
    if (this.rank === 0) {
      for (const s of this.#servers()) {
        sendHeader(this.#comm, s, { op: 'setStates', bytes: bytes.length });
        this.#comm.wait(this.#comm.send(bytes, s, TAG_DATA), `${op} to server rank ${s}`);
        waitAck(this.#comm, s, op);
      }
    }
    this.barrier();
  }

  #requireOptimizer(op: string): OptimizerWire {
    if (this.#optimizer === null) throw new StateError(`${op}: the ${this.type} store has no optimizer; call setOptimizer first`);
    return this.#optimizer;
  }

  /**
   * Every worker reaches it before any goes on, and every push made before it has been applied: each
   * server counts it, and a worker's barrier reaches a server after that worker's earlier pushes to it
   * (MPI keeps one sender's messages in order), so a server acknowledges only once those are applied.
   * Counted by the first server alone, a push to another server could still be in flight when a
   * worker went on to read that server's states.
   */
  override barrier(): void {
    super.barrier();
    const servers = this.#servers();
    for (const s of servers) sendHeader(this.#comm, s, { op: 'barrier' });
    for (const s of servers) waitAck(this.#comm, s, 'barrier');
  }

  #stop(): void {
    for (const s of this.#servers()) sendHeader(this.#comm, s, { op: 'stop' });
  }
}
