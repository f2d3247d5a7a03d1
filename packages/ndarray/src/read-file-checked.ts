// Reading a whole file that a caller named, with the checks `load` applies in native code
// (params_io.cc): a path that is a non-empty string without NUL bytes, a regular file (not a
// directory, device or FIFO, which could block or never end) and a size limit, all checked on the
// opened descriptor so the file cannot be swapped between the check and the read.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

import { FormatError, NativeError, ValueError } from './errors.js';

/**
 * The bytes of the regular file at `path`. `op` names the calling function in messages. Raises
 * ValueError for a path that is not a non-empty string or holds a NUL byte, NativeError when the
 * file cannot be opened or is not a regular file, FormatError when it exceeds `maxBytes`.
 */
export function readFileChecked(op: string, path: string, maxBytes: number): Uint8Array {
  if (typeof path !== 'string' || path.length === 0) {
    throw new ValueError(`${op}: the path must be a non-empty string, got ${typeof path === 'string' ? "''" : typeof path}`);
  }
  if (path.includes('\0')) throw new ValueError(`${op}: the path contains a NUL byte`);
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; regular files ignore it.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new NativeError(`${op} '${path}': cannot open: ${(e as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new NativeError(`${op} '${path}': ${st.isDirectory() ? 'is a directory' : 'is not a regular file'}`);
    if (st.size > maxBytes)
      throw new FormatError(`${op} '${path}': the file has ${st.size} bytes, more than the limit of ${maxBytes}`);
    const bytes = new Uint8Array(st.size);
    let done = 0;
    while (done < bytes.length) {
      const n = readSync(fd, bytes, done, bytes.length - done, null);
      if (n === 0) throw new FormatError(`${op} '${path}': the file ended early (was it truncated while being read?)`);
      done += n;
    }
    return bytes;
  } catch (e) {
    if (e instanceof NativeError || e instanceof FormatError) throw e;
    throw new NativeError(`${op} '${path}': read failed: ${(e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}
