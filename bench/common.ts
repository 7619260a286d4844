/** Helpers shared by the benchmarks: timing, peers run in the same process tree, tables, JSON results. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { median } from './lib/report.js';

/** The repository root (the folder with package.json), from src or from dist. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('bench: package.json not found above the benchmark');
    dir = up;
  }
  return dir;
}

/** Seconds taken by the best of `repeats` runs of `fn`. */
export async function bestOf(repeats: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeats; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return best;
}

/** Result of a peer program: its JSON output, or why it could not run. */
export type PeerResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Runs a command that prints one JSON object on its last line of stdout. */
export function runPeer<T>(cmd: string, args: string[], timeoutMs = 600_000): PeerResult<T> {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 24 });
  if (r.error) return { ok: false, reason: `${cmd} could not run (${r.error.message})` };
  if (r.status !== 0)
    return {
      ok: false,
      reason: `${cmd} exited with ${r.status}: ${(r.stderr || r.stdout).trim().slice(-400)}`,
    };
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return { ok: true, value: JSON.parse(last) as T };
  } catch {
    return { ok: false, reason: `${cmd} printed no JSON: ${last.slice(0, 200)}` };
  }
}

/** Prints rows as an aligned table. */
export function printTable(rows: Record<string, string | number>[]): void {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]!);
  const cell = (v: string | number | undefined) =>
    typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : (v ?? '');
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padStart(widths[i]!)).join('  ');
  console.log(line(cols));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(cols.map((c) => cell(r[c]))));
}

/** Writes bench/results/<name>.json with the machine it ran on. */
export function writeResult(name: string, data: unknown): string {
  const dir = join(repoRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version };
  writeFileSync(
    file,
    `${JSON.stringify({ name, date: new Date().toISOString(), machine, ...(data as object) }, null, 2)}\n`,
  );
  return file;
}

/**
 * A peer process that answers one JSON line per request line, so a benchmark can alternate it
 * with darray in rounds (this machine's bandwidth drifts, and both sides should see the same drift).
 */
export class PeerProcess {
  private readonly lines: AsyncIterator<string>;
  private readonly child;
  private stderr = '';

  private constructor(cmd: string, args: string[]) {
    this.child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  /** Starts `cmd` and reads its first JSON line (its description), or says why it could not. */
  static async start<H>(cmd: string, args: string[]): Promise<PeerResult<{ peer: PeerProcess; hello: H }>> {
    const peer = new PeerProcess(cmd, args);
    const failed = new Promise<never>((_, reject) => peer.child.on('error', reject));
    try {
      const hello = await Promise.race([peer.next<H>(), failed]);
      return { ok: true, value: { peer, hello } };
    } catch (e) {
      peer.close();
      return { ok: false, reason: `${cmd} could not run (${(e as Error).message})` };
    }
  }

  private async next<T>(): Promise<T> {
    const r = await this.lines.next();
    if (r.done) throw new Error(`peer exited: ${this.stderr.trim().slice(-400)}`);
    return JSON.parse(r.value) as T;
  }

  /** Sends one request line and returns the parsed answer. */
  request<T>(line = 'run'): Promise<T> {
    this.child.stdin.write(`${line}\n`);
    return this.next<T>();
  }

  /** The peer's process id (for /proc readings such as its huge pages). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  close(): void {
    this.child.stdin.end();
    this.child.kill();
  }
}

/**
 * Times of two sides measured in alternating rounds. This VM's memory bandwidth swings by up to
 * 1.7× within seconds, so besides each side's best round it keeps the ratio of each round's pair
 * (measured back to back, under nearly the same conditions) and reports their median, which a
 * lucky or unlucky second on one side cannot move.
 */
export class PairedRounds {
  readonly ours: number[] = [];
  readonly theirs: number[] = [];

  add(ours: number, theirs: number): void {
    this.ours.push(ours);
    this.theirs.push(theirs);
  }

  /** Best (lowest) time of each side. */
  best(): { ours: number; theirs: number } {
    return { ours: Math.min(...this.ours), theirs: Math.min(...this.theirs) };
  }

  /** Median over rounds of ours/theirs. */
  medianRatio(): number {
    return median(this.ours.map((t, i) => t / this.theirs[i]!));
  }
}
