/**
 * For the tests that run real launchers (srun, salloc, sbatch, mpirun): whether one is usable
 * here, and which processes a run left behind.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { it } from 'vitest';

/** Why `cmd args` cannot run here, or undefined when it ran and exited 0 within 15 s. */
export function unusable(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 15_000 });
  if (r.error) return `${cmd} cannot run: ${r.error.message}`;
  if (r.status !== 0)
    return `${cmd} ${args.join(' ')} exited with ${r.status}: ${(r.stderr || r.stdout).trim().slice(0, 200)}`;
  return undefined;
}

/**
 * When the engine is missing: under CI=true (which installs it) a failing case, else a skipped
 * one whose name carries the reason. Returns whether the engine's tests should run.
 */
export function engineOrSkip(name: string, reason: string | undefined): boolean {
  if (reason === undefined) return true;
  it.skipIf(process.env.CI !== 'true')(`${name} is available (required under CI=true): ${reason}`, () => {
    throw new Error(`${name} is not available: ${reason}`);
  });
  return false;
}

/** OS pids of live processes whose command line includes `needle` and environment every `envHas` entry. */
export function processesWith(needle: string, envHas: string[] = []): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z') continue;
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) continue;
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (envHas.every((e) => env.includes(e))) found.push(Number(entry));
    } catch {
      // Ended while we looked, or not ours to read.
    }
  }
  return found;
}

/** The JSON after `tag ` on a line of `out`. */
export function tagged<T>(out: string, tag: string): T | undefined {
  const line = out.split('\n').find((l) => l.startsWith(`${tag} `));
  return line === undefined ? undefined : (JSON.parse(line.slice(tag.length + 1)) as T);
}

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs a launcher from the repository root, killed after 60 s, with its output and duration. */
export function runLauncher(cmd: string, args: string[], env: Record<string, string> = {}) {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    killSignal: 'SIGKILL',
    env: { ...process.env, ...env },
  });
  return { status: r.status, out: r.stdout, err: r.stderr, ms: Date.now() - t0 };
}
