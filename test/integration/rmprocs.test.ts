/** rmprocs of a worker that does not exit when asked: killed, with a warning naming it (as Julia logs). */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { addprocs, remotecallFetch, remoteDo, rmprocs, workers } from '../../src/index.js';
import { alive, removeAllAndCheck, waitFor } from './leaks.js';

afterAll(removeAllAndCheck);

/** What this process writes to stderr while `work` runs. */
async function stderrDuring(work: () => Promise<void>): Promise<string> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    await work();
  } finally {
    spy.mockRestore();
  }
  return chunks.join('');
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
    const text = await stderrDuring(() => rmprocs([busy, polite], { waitfor: 0.3 }));
    // One line, for the worker that had to be killed only.
    expect(text).toBe(
      `darray: warning: rmprocs: worker ${busy} did not exit within 0.3 s of being asked; killing it\n`,
    );
    await waitFor(() => !alive(osPid), 5000, 'the killed worker to exit');
    expect(workers()).not.toContain(busy);
  });

  it('refuses a bad waitfor', async () => {
    await expect(rmprocs([2], { waitfor: -1 })).rejects.toThrow(
      /rmprocs: waitfor must be a non-negative number of seconds, got number -1/,
    );
  });
});
