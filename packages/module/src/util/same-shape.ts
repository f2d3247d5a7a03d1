// Shape equality (same rank, same dimensions), the comparison behind every exact-shape check here.

export const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);
