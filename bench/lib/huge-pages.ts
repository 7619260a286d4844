/**
 * How much of a process's memory sits on transparent huge pages. NumPy asks for them
 * (madvise(MADV_HUGEPAGE) on large arrays); Node cannot ask for them for WebAssembly memory, so
 * where the kernel gives them only on request ("madvise", the usual default) the two sides of a
 * bandwidth benchmark stream through pages of different sizes. The benchmarks report it per run.
 */
import { readFileSync } from 'node:fs';

/** The kernel's THP mode ("always", "madvise" or "never"), or undefined off Linux. */
export function thpMode(): string | undefined {
  try {
    return /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** Bytes of process `pid`'s anonymous memory on huge pages, or undefined where /proc cannot tell. */
export function hugePageBytes(pid: number): number | undefined {
  try {
    const kb = /AnonHugePages:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** "NumPy 64 MiB, darray 0 MiB on huge pages (THP: madvise)" for the given processes. */
export function hugePageNote(sides: [label: string, pids: readonly number[]][]): string | undefined {
  const mode = thpMode();
  if (mode === undefined) return undefined;
  const parts = sides.map(([label, pids]) => {
    const sizes = pids.map(hugePageBytes);
    if (sizes.some((b) => b === undefined)) return `${label} unknown`;
    const total = sizes.reduce<number>((a, b) => a + (b as number), 0);
    return `${label} ${(total / 2 ** 20).toFixed(0)} MiB`;
  });
  return `${parts.join(', ')} on huge pages (THP: ${mode})`;
}
