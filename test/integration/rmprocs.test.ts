/** rmprocs of a worker that does not exit when asked: killed, with a warning naming it (as Julia logs). */
import { afterAll, describe, expect, it } from 'vitest';
import { addprocs, remotecallFetch, remoteDo, rmprocs, workers } from '../../src/index.js';
import { alive, removeAllAndCheck, waitFor } from './leaks.js';

afterAll(removeAllAndCheck);

/** Collects the process warnings emitted while `work` runs. */
async function warningsDuring(work: () => Promise<void>): Promise<Error[]> {
  const seen: Error[] = [];
  const onWarning = (w: Error) => seen.push(w);
  process.on('warning', onWarning);
  try {
    await work();
    // Warnings are emitted on the next tick.
    await new Promise((r) => setTimeout(r, 20));
  } finally {
    process.off('warning', onWarning);
  }
  return seen;
}

describe('rmprocs', () => {
  it('warns, naming the worker, when it has to kill one that did not exit in time', async () => {
    const [busy, polite] = (await addprocs(2)) as [number, number];
    const osPid = await remotecallFetch(() => process.pid, busy);
    // Synchronous work: the exit request waits behind it.
    remoteDo(() => {
      const end = Date.now() + 10_000;
      while (Date.now() < end) {}
    }, busy);
    await new Promise((r) => setTimeout(r, 100));
    const seen = await warningsDuring(() => rmprocs([busy, polite], { waitfor: 0.3 }));
    const ours = seen.filter((w) => w.name === 'DarrayWarning');
    expect(ours.map((w) => w.message)).toEqual([
      `rmprocs: worker ${busy} did not exit within 0.3 s of being asked; killing it`,
    ]);
    expect((ours[0] as Error & { code?: string }).code).toBe('DARRAY_RMPROCS_KILL');
    await waitFor(() => !alive(osPid), 5000, 'the killed worker to exit');
    expect(workers()).not.toContain(busy);
  });

  it('refuses a bad waitfor', async () => {
    await expect(rmprocs([2], { waitfor: -1 })).rejects.toThrow(
      /rmprocs: waitfor must be a non-negative number of seconds, got number -1/,
    );
  });
});
