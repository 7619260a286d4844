import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { alive, waitFor } from './leaks.js';

const script = new URL('../fixtures/master.mjs', import.meta.url).pathname;

/** Runs the fixture master and returns its child, the workers' OS pids, and its exit. */
async function runMaster(mode: string) {
  const child = spawn(process.execPath, [script, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string>((r) => lines.once('line', r));
  const { osPids } = JSON.parse(first) as { osPids: number[] };
  return { child, osPids, exited };
}

describe('process lifecycle', () => {
  it('an idle master exits by itself and its workers follow', async () => {
    const { osPids, exited } = await runMaster('end');
    expect(osPids).toHaveLength(2);
    expect(await exited).toBe(0);
    await waitFor(() => osPids.every((p) => !alive(p)), 10_000, 'workers to exit after their master');
  });

  it('a master that removed its workers exits normally', async () => {
    const { osPids, exited } = await runMaster('rmprocs');
    expect(await exited).toBe(0);
    expect(osPids.some(alive)).toBe(false);
  });

  it('workers of a killed master exit (no orphans)', async () => {
    const { child, osPids, exited } = await runMaster('hang');
    expect(osPids.every(alive)).toBe(true);
    child.kill('SIGKILL');
    await exited;
    await waitFor(() => osPids.every((p) => !alive(p)), 10_000, 'orphaned workers to exit');
  });
});
