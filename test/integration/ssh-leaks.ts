/** Leak checks for SSH workers, which are children of sshd rather than of the test process. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Every live process id. */
export function procEntries(): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number);
}

/** A /proc file's text, or '' when the process ended while we looked. */
export function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Live processes whose environment holds `DARRAY_SSH_MARK=<mark>`: workers given that env, wherever they run. */
export function markedProcs(mark: string): number[] {
  return procEntries().filter((p) => read(`/proc/${p}/environ`).includes(`DARRAY_SSH_MARK=${mark}`));
}

/** Live ssh client processes started by this process. */
export function sshChildren(): number[] {
  return procEntries().filter((p) => {
    const stat = read(`/proc/${p}/stat`);
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] !== 'Z' && Number(fields[1]) === process.pid && stat.includes('(ssh)');
  });
}

/** Live darray workers of this checkout started by an sshd session. */
export function sshdWorkers(): number[] {
  const script = `${root}dist/src/cluster/worker-main.js`;
  return procEntries().filter((p) => {
    if (!read(`/proc/${p}/cmdline`).includes(script)) return false;
    const stat = read(`/proc/${p}/stat`);
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return read(`/proc/${ppid}/comm`).trim() === 'sshd';
  });
}
