/** Counts remote values held on every process, for leak checks after a suite. */
import { procs, remotecallFetch, remoteRefCount } from '../../src/index.js';

export async function totalRemoteRefs(): Promise<number> {
  const counts = await Promise.all(procs().map((p) => remotecallFetch(() => remoteRefCount(), p)));
  return counts.reduce((a, b) => a + b, 0);
}

/** Waits (releases are batched) until every process is back to `expected` remote values. */
export async function expectRefsBackTo(expected: number): Promise<void> {
  const end = Date.now() + 5000;
  let last = await totalRemoteRefs();
  while (last !== expected && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 25));
    last = await totalRemoteRefs();
  }
  if (last !== expected)
    throw new Error(`remote values: expected ${expected} across all processes, found ${last}`);
}
