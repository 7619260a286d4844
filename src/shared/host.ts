/**
 * Which processes can share memory: those that see the same /dev/shm (same machine, same boot,
 * same tmpfs mount, so two containers on one machine do not count as one host).
 */
import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';

let cached: string | undefined;

/** A key equal on exactly the processes that share this process's /dev/shm. */
export function hostKey(): string {
  if (cached !== undefined) return cached;
  let boot = '';
  let dev = '';
  try {
    boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    // Not Linux: the host name alone decides.
  }
  try {
    dev = String(statSync('/dev/shm').dev);
  } catch {
    // No /dev/shm: SharedArray cannot be made here anyway.
  }
  cached = `${hostname()}|${boot}|${dev}`;
  return cached;
}
