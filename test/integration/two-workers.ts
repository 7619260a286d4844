/** Two workers for a suite, and the checks after it that nothing leaked. */
import { afterAll, beforeAll } from 'vitest';
import { addprocs } from '../../src/index.js';
import { expectNoChunksLeft } from './darray-leaks.js';
import { removeAllAndCheck } from './leaks.js';
import { expectRefsBackTo, totalRemoteRefs } from './refs.js';

/**
 * Starts two workers before the suite (with `baseline`, the remote values held then); after it, checks that the remote values are back to where
 * they started (and, with `chunks`, that no DArray chunk is left), then that no worker process is.
 */
export function useTwoWorkers(opts: { chunks?: boolean } = {}): { p2: number; p3: number; baseline: number } {
  const w = { p2: 0, p3: 0, baseline: 0 };
  beforeAll(async () => {
    [w.p2, w.p3] = (await addprocs(2)) as [number, number];
    w.baseline = await totalRemoteRefs();
  });
  afterAll(async () => {
    if (opts.chunks) await expectNoChunksLeft();
    await expectRefsBackTo(w.baseline);
    await removeAllAndCheck();
  });
  return w;
}
