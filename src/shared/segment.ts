/**
 * The /dev/shm files behind SharedArrays. Each is named `darray-shm-<owner OS pid>-<n>-<random>`,
 * so that files left by a process that died (SIGKILL skips every exit hook) are found and removed
 * by the next process that makes one. Files this process made are removed when it exits.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { onProcessGone } from '../cluster/mesh.js';
import { type ShmAddon, shmAddon } from '../native/load.js';

/** The prefix of every segment name; tests look for it in /dev/shm. */
export const SEGMENT_PREFIX = 'darray-shm-';

const owned = new Set<string>();
let counter = 0;
let swept = false;
let exitHook = false;

/** The addon, or the clear error of a platform without it. */
export function addon(): ShmAddon {
  return shmAddon();
}

/** Whether OS process `pid` is alive (EPERM means it is, owned by someone else). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes segments whose owner process is gone. Runs once per process, before its first segment;
 * returns the names removed.
 */
export function sweepOrphans(force = false): string[] {
  if (swept && !force) return [];
  swept = true;
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync('/dev/shm');
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = /^darray-shm-(\d+)-/.exec(name);
    if (!m || processAlive(Number(m[1]))) continue;
    try {
      if (addon().unlink(name)) removed.push(name);
    } catch {
      // Another process removed it first, or it is not ours to remove.
    }
  }
  return removed;
}

/** Makes a new zero-filled segment of `bytes`, owned (and removed at exit) by this process. */
export function createSegment(bytes: number): { name: string; buffer: ArrayBuffer } {
  const shm = addon();
  sweepOrphans();
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const n of owned) shm.unlink(n);
    });
  }
  const name = `${SEGMENT_PREFIX}${process.pid}-${++counter}-${randomBytes(4).toString('hex')}`;
  const buffer = shm.create(name, bytes);
  owned.add(name);
  adviseHuge(buffer);
  return { name, buffer };
}

/** Maps an existing segment. */
export function openSegment(name: string, bytes: number): ArrayBuffer {
  const buffer = addon().open(name, bytes);
  adviseHuge(buffer);
  return buffer;
}

/** Segments at least this large ask for transparent huge pages (a matrix streamed every product). */
const HUGE_BYTES = 4 << 20;

// Huge pages widen the TLB's reach over a large matrix; where tmpfs does not give them (its
// shmem_enabled setting), the advice is simply refused.
function adviseHuge(buffer: ArrayBuffer): void {
  if (buffer.byteLength >= HUGE_BYTES) addon().madviseHugepage(buffer);
}

/** Removes a segment's file (mappings stay valid until detached). */
export function unlinkSegment(name: string): void {
  owned.delete(name);
  addon().unlink(name);
}

/** How long after a process leaves the cluster its OS process is given to be gone before a sweep. */
const GONE_SWEEP_DELAY_MS = 300;

// A process that crashed leaves the segments it made; once this process uses SharedArrays, it
// sweeps them when another process leaves (a moment later, when its OS process has ended).
onProcessGone(() => {
  if (!swept) return;
  setTimeout(() => sweepOrphans(true), GONE_SWEEP_DELAY_MS).unref();
});
