/** Leak checks run after each integration suite: no worker process of ours may outlive it. */
import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { procs, rmprocs, workers } from '../../src/index.js';

/** OS pids of live worker processes whose parent is this process. */
export function childWorkerPids(parent = process.pid): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z' || Number(fields[1]) !== parent) continue;
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes('worker-main.js')) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** Whether an OS process exists (and is not a zombie). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

export async function waitFor(cond: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Removes every worker, then checks that none of their processes is left. */
export async function removeAllAndCheck(): Promise<void> {
  const ws = workers().filter((p) => p !== 1);
  if (ws.length > 0) await rmprocs(ws, { waitfor: 10 });
  expect(procs()).toEqual([1]);
  await waitFor(() => childWorkerPids().length === 0, 10_000, 'worker processes to exit');
  expect(childWorkerPids()).toEqual([]);
}

/** Polls an async condition until it holds, failing after `ms`. */
export async function waitUntil(cond: () => Promise<boolean>, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
