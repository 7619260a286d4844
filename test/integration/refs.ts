/** Counts remote values held on every process, for leak checks after a suite. */
import { myid, procs, remotecallFetch, remoteRefCount } from '../../src/index.js';

export async function totalRemoteRefs(): Promise<number> {
  const counts = await Promise.all(procs().map((p) => remotecallFetch(() => remoteRefCount(), p)));
  return counts.reduce((a, b) => a + b, 0);
}

/**
 * Forces a garbage collection on every process. A reference that a worker received in a call and
 * dropped is released by its FinalizationRegistry (as Julia's finalizers do), which only runs after
 * a collection; a leak check that did not collect would count such references as leaked.
 */
export async function collectEverywhere(): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  // This process collects through --expose-gc (vitest.config.ts); workers switch the flag on.
  await Promise.all(
    procs()
      .filter((p) => p !== myid())
      .map((p) =>
        remotecallFetch(async () => {
          const v8 = await import('node:v8');
          const vm = await import('node:vm');
          v8.setFlagsFromString('--expose-gc');
          (vm.runInNewContext('gc') as () => void)();
        }, p),
      ),
  );
}

/**
 * Waits (releases are batched) until every process is back to `expected` remote values, forcing
 * collections while it waits so that dropped references are released.
 */
export async function expectRefsBackTo(expected: number): Promise<void> {
  const end = Date.now() + 5000;
  let last = await totalRemoteRefs();
  let collectedAt = 0;
  while (last !== expected && Date.now() < end) {
    if (Date.now() - collectedAt > 500) {
      await collectEverywhere();
      collectedAt = Date.now();
    }
    await new Promise((r) => setTimeout(r, 25));
    last = await totalRemoteRefs();
  }
  if (last !== expected)
    throw new Error(`remote values: expected ${expected} across all processes, found ${last}`);
}
