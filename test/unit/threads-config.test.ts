/** nthreads() from DARRAY_THREADS, setThreads, and their errors (no thread is started here). */
import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { ArgumentError, nthreads, threadid } from '../../src/index.js';

const saved = process.env.DARRAY_THREADS;
afterEach(() => {
  if (saved === undefined) delete process.env.DARRAY_THREADS;
  else process.env.DARRAY_THREADS = saved;
});

describe('nthreads and threadid on the master', () => {
  it('defaults to the core count, and DARRAY_THREADS overrides it', () => {
    delete process.env.DARRAY_THREADS;
    expect(nthreads()).toBe(availableParallelism());
    process.env.DARRAY_THREADS = '3';
    expect(nthreads()).toBe(3);
    expect(threadid()).toBe(1);
  });

  it('refuses a DARRAY_THREADS that is not a whole number of threads', () => {
    for (const bad of ['abc', '0', '2.5', '-1', '5000']) {
      process.env.DARRAY_THREADS = bad;
      expect(() => nthreads()).toThrow(ArgumentError);
      expect(() => nthreads()).toThrow(
        `DARRAY_THREADS must be a whole number of threads from 1 to 1024, got "${bad}"`,
      );
    }
  });
});
