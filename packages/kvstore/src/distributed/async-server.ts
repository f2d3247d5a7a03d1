// A dist_async server rank (MXNet's KVStoreDistServer in async mode): holds the values of its keys,
// applies each worker's push as it arrives (through the optimizer the workers sent, else replacing
// the value), answers pulls with the current value, and counts barriers. It serves until every
// worker has said stop.
import { empty, type NDArray, StateError } from '@bkt/ndarray';
import { create as createOptimizer, getUpdater, type Updater } from '@bkt/optimizer';

import { fmtKey, type KVKey } from '../arguments.js';
import { bytesOf, type Header, sendAck, TAG_DATA, TAG_HEADER, TAG_REPLY } from './async-protocol.js';
import { ANY, type Communicator } from './mpi.js';

export function serve(comm: Communicator, numWorkers: number): void {
  const stored = new Map<KVKey, NDArray>();
  /** Pulls of keys whose init has not arrived yet (a worker may ask before rank 0's init lands). */
  const waitingPulls = new Map<KVKey, number[]>();
  let updater: Updater | null = null;
  let atBarrier: number[] = [];
  let stopped = 0;
  const status = new Int32Array(3);
  const reply = (to: number, value: NDArray): void => {
    comm.wait(comm.send(bytesOf(value), to, TAG_REPLY), `dist_async server: reply to rank ${to}`);
  };
  const receiveInto = (from: number, value: NDArray): void => {
    comm.wait(comm.recv(bytesOf(value), from, TAG_DATA, status), `dist_async server: data from rank ${from}`);
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
        receiveInto(from, value);
        stored.get(h.key)?.dispose();
        stored.set(h.key, value);
        sendAck(comm, from);
        for (const w of waitingPulls.get(h.key) ?? []) reply(w, value);
        waitingPulls.delete(h.key);
        break;
      }
      case 'push': {
        const value = stored.get(h.key);
        if (value === undefined) throw new StateError(`dist_async server: rank ${from} pushed key ${fmtKey(h.key)} before its init`);
        const grad = empty(value.shape, { dtype: value.dtype });
        try {
          receiveInto(from, grad);
          if (updater === null) grad.copyTo(value);
          else updater.update(h.key, grad, value);
        } finally {
          grad.dispose();
        }
        break;
      }
      case 'pull': {
        const value = stored.get(h.key);
        if (value !== undefined) reply(from, value);
        else waitingPulls.set(h.key, [...(waitingPulls.get(h.key) ?? []), from]);
        break;
      }
      case 'optimizer':
        updater = getUpdater(createOptimizer(h.name, h.options));
        sendAck(comm, from);
        break;
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
}
