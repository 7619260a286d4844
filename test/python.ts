/**
 * Finding a Python that has given modules, for tests that check files against NumPy, zarr or dask.
 * Such tests run for real when one is found and are skipped, with the reason in their name, otherwise.
 */
import { spawnSync } from 'node:child_process';

/** Interpreters tried in order: the one on PATH, then Debian's (where python3-numpy etc. install). */
const CANDIDATES = ['python3', '/usr/bin/python3'];

/** The first Python that imports every one of `modules`, or undefined. */
export function findPython(modules: readonly string[]): string | undefined {
  const code = modules.map((m) => `import ${m}`).join('; ');
  for (const exe of CANDIDATES) {
    const r = spawnSync(exe, ['-c', code], { encoding: 'utf8', timeout: 30_000 });
    if (r.status === 0) return exe;
  }
  return undefined;
}

/** Runs `code` with `python` and returns its stdout; throws with stderr when it fails. */
export function runPython(python: string, code: string, args: readonly string[] = []): string {
  const r = spawnSync(python, ['-c', code, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${python} failed (status ${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** A test-name suffix saying why a Python check is skipped, or nothing when it runs. */
export function skipReason(python: string | undefined, modules: readonly string[]): string {
  return python
    ? ''
    : ` (skipped: no python3 that imports ${modules.join(', ')}; install python3-${modules.join(' python3-')})`;
}
