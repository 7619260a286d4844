/**
 * startWorker's closeStdin and stderrToStdout (Julia's start_worker options, issue #31035): a
 * cluster manager of our own starts workers that call startWorker themselves and hands the
 * master only their stdout, as Julia's test manager does.
 */
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import {
  addprocs,
  type ClusterManager,
  type LaunchParams,
  remotecallFetch,
  rmprocs,
  type WorkerConfig,
} from '../../src/index.js';
import { alive, waitFor } from './leaks.js';

const entry = new URL('../../dist/src/index.js', import.meta.url).href;

interface Flags {
  closeStdin: boolean;
  stderrToStdout: boolean;
}
type Launched = Flags & { out: string[]; err: string[] };

/** Starts one worker per set of flags, each a `node -e` that calls startWorker with them. */
class RetainStdioManager implements ClusterManager {
  readonly name = 'retain-stdio';
  readonly launched: Launched[] = [];
  readonly osPids: number[] = [];
  constructor(private readonly combos: Flags[]) {}

  async launch(params: LaunchParams): Promise<WorkerConfig[]> {
    return this.combos.map((flags) => {
      const code = `const d = await import(${JSON.stringify(entry)}); await d.startWorker(${JSON.stringify(flags)});`;
      const child = spawn(params.exename, ['--input-type=module', '-e', code], {
        cwd: params.dir,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      // A line after the cookie: a worker that keeps its stdin can read it.
      child.stdin.write(`${params.cookie}\nhello from the manager\n`);
      child.stdin.on('error', () => {});
      const record: Launched = { ...flags, out: [], err: [] };
      child.stdout.on('data', (d: Buffer) => record.out.push(d.toString()));
      child.stderr.on('data', (d: Buffer) => record.err.push(d.toString()));
      this.launched.push(record);
      if (child.pid) this.osPids.push(child.pid);
      // Only stdout goes to the master, as with Julia's manager: stderr is not relayed.
      return { process: child, io: child.stdout, userdata: record };
    });
  }

  manage(): void {}

  async kill(_pid: number, config: WorkerConfig): Promise<void> {
    config.process?.kill('SIGKILL');
  }
}

// Each value of each option once, in two workers (all four pairs only cost startup time).
const combos: Flags[] = [
  { closeStdin: true, stderrToStdout: false },
  { closeStdin: false, stderrToStdout: true },
];
const manager = new RetainStdioManager(combos);

afterAll(async () => {
  await waitFor(() => manager.osPids.every((p) => !alive(p)), 10_000, 'the stdio test workers to exit');
});

describe('startWorker stdio options', () => {
  it('closeStdin and stderrToStdout each keep or redirect the stream', async () => {
    const pids = await addprocs(manager);
    expect(pids).toHaveLength(2);
    try {
      for (const pid of pids) expect(await remotecallFetch(() => myid(), pid)).toBe(pid);
      const results = await Promise.all(
        pids.map((pid) =>
          remotecallFetch(async () => {
            const stdinOpen = process.stdin.readable;
            // What the manager wrote after the cookie, if stdin was kept.
            const line = stdinOpen
              ? await new Promise<string>((r) => process.stdin.once('data', (d) => r(String(d))))
              : null;
            process.stdin.pause();
            const marker = `stderr-marker-${myid()}`;
            console.error(marker);
            return { stdinOpen, line, merged: (process.stderr as unknown) === process.stdout, marker };
          }, pid),
        ),
      );
      // Which process got which flags: the one whose output has its marker.
      const output = (l: Launched) => [...l.out, ...l.err].join('');
      const launchedOf = (marker: string) => manager.launched.find((l) => output(l).includes(marker));
      await waitFor(() => results.every((r) => launchedOf(r.marker)), 5000, 'every marker line');
      for (const r of results) {
        const l = launchedOf(r.marker) as Launched;
        expect(r.stdinOpen).toBe(!l.closeStdin);
        expect(r.line).toBe(l.closeStdin ? null : 'hello from the manager\n');
        expect(r.merged).toBe(l.stderrToStdout);
        expect(l.out.join('').includes(r.marker)).toBe(l.stderrToStdout);
        expect(l.err.join('').includes(r.marker)).toBe(!l.stderrToStdout);
      }
      expect(new Set(results.map((r) => launchedOf(r.marker))).size).toBe(2);
    } finally {
      await rmprocs(pids, { waitfor: 10 });
    }
  });

  it('refuses options that are not true or false', async () => {
    const { startWorker } = await import('../../src/index.js');
    await expect(startWorker({ cookie: 'x', closeStdin: 'yes' as never })).rejects.toThrow(
      /startWorker: closeStdin must be true or false, got the string "yes"/,
    );
  });
});

declare function myid(): number;
