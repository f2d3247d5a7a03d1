// Ctrl-C during training: the first asks fitAsync to stop after the current batch (the command then
// writes a checkpoint), a second one quits at once.

/** An AbortSignal that SIGINT aborts, until release() removes the handler. */
export function abortOnSigint(log: (message: string) => void): { signal: AbortSignal; release: () => void } {
  const abort = new AbortController();
  const onSigint = (): void => {
    if (abort.signal.aborted) process.exit(130);
    abort.abort();
    log('Interrupted: finishing the current batch, then saving a checkpoint (Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', onSigint);
  return { signal: abort.signal, release: () => process.off('SIGINT', onSigint) };
}
