/** How a SharedArray's linear indices are shared out over its pids (as Julia's SharedArrays does). */

/**
 * The half-open range [lo, hi) of `length` items taken by the `i`-th (0-based) of `n` parts: equal
 * parts of ⌊length/n⌋, the last one taking the remainder; with fewer items than parts, one item
 * each to the first `length` parts and nothing to the others.
 */
export function splitRange(length: number, n: number, i: number): [number, number] {
  if (length < n) return i < length ? [i, i + 1] : [length, length];
  const part = Math.floor(length / n);
  return [i * part, i === n - 1 ? length : (i + 1) * part];
}
