/** Running one thread's share of a threadsFor loop, on whichever thread it was given to. */
import { type CapturedError, capture } from '../remote/exceptions.js';

/** What a chunk reports: done, or its error and the iteration that threw it (none when setting up failed). */
export type ChunkResult = { ok: true } | { ok: false; iteration?: number; error: CapturedError };

type Body = (i: number, ...args: unknown[]) => unknown;

/**
 * Calls `body(i, ...args)` for i in [lo, hi), in order, awaiting a body that returns a promise.
 * Stops at the first iteration that throws, as Julia's task for the chunk does.
 */
export async function runChunk(body: Body, args: unknown[], lo: number, hi: number): Promise<ChunkResult> {
  let i = lo;
  try {
    // The common arities are called directly: a spread per iteration costs more than the body.
    const [a, b, c] = args;
    for (; i < hi; i++) {
      const r =
        args.length === 0
          ? body(i)
          : args.length === 1
            ? body(i, a)
            : args.length === 2
              ? body(i, a, b)
              : args.length === 3
                ? body(i, a, b, c)
                : body(i, ...args);
      if (r instanceof Promise) await r;
    }
    return { ok: true };
  } catch (err) {
    return { ok: false, iteration: i, error: capture(err) };
  }
}
