// What the dist_async features test pushes (shared by its worker and the test's reference).
export const K = 5;
export const THRESHOLD = 0.5;
/** Not a multiple of 16: the last packed word is partly padding. */
export const COMPRESSED_SIZE = 37;

/** Worker r's gradient for the compression phase: values on both sides of ± THRESHOLD, so residuals carry over. */
export const compressedGradient = (rank: number): number[] =>
  Array.from({ length: COMPRESSED_SIZE }, (_, j) => Math.fround(0.17 * (rank + 1) * ((j % 9) - 4)));
