// A dist_async server rank (MXNet's KVStoreDistServer in async mode): holds the values of its keys,
// applies each worker's push as it arrives (through the optimizer the workers sent, else replacing
// the value; a 2-bit compressed push is decoded first, as MXNet's server does), answers pulls with the
// current value, hands out and takes back its optimizer states, and counts barriers (each server
// acknowledges one when every worker has reached it, after their earlier pushes). It serves until
// every worker has said stop.
import { empty, type NDArray, StateError } from '@bkt/ndarray';
import { getUpdater, type Updater } from '@bkt/optimizer';

import { fmtKey, type KVKey } from '../arguments.js';
import { GradientCompression } from '../gradient-compression.js';
import { bytesOf, type Header, sendAck, serverOf, TAG_DATA, TAG_HEADER, TAG_REPLY } from './async-protocol.js';
import { ANY, type Communicator } from './mpi.js';
import { rebuildOptimizer } from './optimizer-wire.js';
import { keepOwnStates } from './states-merge.js';

export function serve(comm: Communicator, numWorkers: number): void {
  const stored = new Map<KVKey, NDArray>();
  /** Pulls of keys whose init has not arrived yet (a worker may ask before rank 0's init lands). */
  const waitingPulls = new Map<KVKey, number[]>();
  let updater: Updater | null = null;
  let compression: GradientCompression | null = null;
  let atBarrier: number[] = [];
  let stopped = 0;
  const status = new Int32Array(3);
  const reply = (to: number, bytes: Uint8Array): void => {
    comm.wait(comm.send(bytes, to, TAG_REPLY), `dist_async server: reply to rank ${to}`);
  };
  const receiveInto = (from: number, bytes: Uint8Array): void => {
    comm.wait(comm.recv(bytes, from, TAG_DATA, status), `dist_async server: data from rank ${from}`);
  };
  const isMine = (key: KVKey): boolean => serverOf(key, numWorkers, comm.size - numWorkers) === comm.rank;

  /** The gradient a push carries: its bytes, or the decoded 2-bit words. */
  const receiveGrad = (from: number, h: Extract<Header, { op: 'push' }>, value: NDArray): NDArray => {
    if (!h.compressed) {
      const grad = empty(value.shape, { dtype: value.dtype });
      receiveInto(from, bytesOf(grad));
      return grad;
    }
    if (compression === null)
      throw new StateError(
        `dist_async server: rank ${from} pushed key ${fmtKey(h.key)} compressed before setGradientCompression`,
      );
    const words = empty([Math.ceil(value.size / 16)], { dtype: 'float32' });
    try {
      receiveInto(from, bytesOf(words));
      return compression.decodeSum([words], value.shape).array;
    } finally {
      words.dispose();
    }
  };

  while (stopped < numWorkers) {
    // forever: a server waits as long as the workers compute (mpirun ends it when a worker dies)
    comm.wait(comm.probe(ANY, TAG_HEADER, status), 'dist_async server: waiting for workers', { forever: true });
    const [from, , bytes] = status as unknown as [number, number, number];
    const text = new Uint8Array(bytes);
    comm.wait(comm.recv(text, from, TAG_HEADER, status), `dist_async server: header from rank ${from}`);
    const h = JSON.parse(new TextDecoder().decode(text)) as Header;
    switch (h.op) {
      case 'init': {
        const value = empty(h.shape, { dtype: h.dtype });
        receiveInto(from, bytesOf(value));
        stored.get(h.key)?.dispose();
        stored.set(h.key, value);
        sendAck(comm, from);
        for (const w of waitingPulls.get(h.key) ?? []) reply(w, bytesOf(value));
        waitingPulls.delete(h.key);
        break;
      }
      case 'push': {
        const value = stored.get(h.key);
        if (value === undefined)
          throw new StateError(`dist_async server: rank ${from} pushed key ${fmtKey(h.key)} before its init`);
        const grad = receiveGrad(from, h, value);
        try {
          if (updater === null) grad.copyTo(value);
          else updater.update(h.key, grad, value);
        } finally {
          grad.dispose();
        }
        break;
      }
      case 'pull': {
        const value = stored.get(h.key);
        if (value !== undefined) reply(from, bytesOf(value));
        else waitingPulls.set(h.key, [...(waitingPulls.get(h.key) ?? []), from]);
        break;
      }
      case 'optimizer':
        updater?.dispose();
        updater = getUpdater(rebuildOptimizer(h.optimizer));
        sendAck(comm, from);
        break;
      case 'multipliers':
        if (updater === null) throw new StateError(`dist_async server: rank ${from} sent multipliers before setOptimizer`);
        updater.optimizer.lrMult = new Map(h.lrMult);
        updater.optimizer.wdMult = new Map(h.wdMult);
        sendAck(comm, from);
        break;
      case 'compression':
        if (compression === null) compression = new GradientCompression({ type: '2bit', threshold: h.threshold });
        else compression.setParams({ type: '2bit', threshold: h.threshold });
        sendAck(comm, from);
        break;
      case 'getStates':
        reply(from, updater === null ? new Uint8Array(0) : updater.getStates());
        break;
      case 'setStates': {
        const file = new Uint8Array(h.bytes);
        receiveInto(from, file);
        if (updater === null) throw new StateError(`dist_async server: rank ${from} sent optimizer states before setOptimizer`);
        updater.setStates(file);
        keepOwnStates(updater, isMine);
        sendAck(comm, from);
        break;
      }
      case 'barrier':
        atBarrier.push(from);
        if (atBarrier.length === numWorkers) {
          for (const w of atBarrier) sendAck(comm, w);
          atBarrier = [];
        }
        break;
      case 'stop':
        stopped += 1;
        break;
    }
  }
  for (const v of stored.values()) v.dispose();
  updater?.dispose();
  compression?.dispose();
}
