/** The loop ranges distributedFor and threadsFor take, and how they cut them. */
import { ArgumentError, describe } from '../errors.js';

/** Splits [start, end) into `parts` contiguous ranges, the larger first (as Julia's splitrange). */
export function splitLoopRange(start: number, end: number, parts: number): [number, number][] {
  const base = Math.floor((end - start) / parts);
  const extra = (end - start) % parts;
  const cut = (k: number) => start + k * base + Math.min(k, extra);
  return Array.from({ length: parts }, (_, k): [number, number] => [cut(k), cut(k + 1)]);
}

/** Checks a half-open `[start, end]` loop range of integers, naming `op` and an example if it is not one. */
export function checkLoopRange(range: unknown, op: string, example: string): [number, number] {
  if (
    !Array.isArray(range) ||
    range.length !== 2 ||
    !range.every((x) => Number.isSafeInteger(x)) ||
    (range[0] as number) > (range[1] as number)
  ) {
    throw new ArgumentError(
      `${op}: expected a half-open range [start, end) as [start, end] with integers start ≤ end, got ${describe(range)}; e.g. ${example}`,
    );
  }
  return range as [number, number];
}
