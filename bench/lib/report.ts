/** Shared output for benchmarks: a printed table with ratios to the peer, and a JSON file. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Row {
  metric: string;
  ours: number;
  peer?: number;
  unit: string;
  /** ours/peer (or peer/ours when higher is better), computed by `ratio`. */
  ratio?: number;
  target?: string;
  pass?: boolean;
  note?: string;
}

/** Median of a sample. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** The q-quantile (0..1) of a sample. */
export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
}

const fmt = (x: number | undefined): string =>
  x === undefined
    ? '—'
    : Math.abs(x) >= 100
      ? x.toFixed(0)
      : Math.abs(x) >= 1
        ? x.toFixed(2)
        : x.toPrecision(3);

/** Prints the rows as a table and writes them, with `meta`, to bench/results/<name>.json. */
export function report(name: string, rows: Row[], meta: Record<string, unknown> = {}): void {
  const header = ['metric', 'darray', 'peer', 'unit', 'ratio', 'target', 'ok'];
  const lines = rows.map((r) => [
    r.metric,
    fmt(r.ours),
    fmt(r.peer),
    r.unit,
    r.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}×`,
    r.target ?? '',
    r.pass === undefined ? '' : r.pass ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const row = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ');
  console.log(`\n${name}`);
  console.log(row(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(row(l));
  for (const r of rows) if (r.note) console.log(`  note (${r.metric}): ${r.note}`);
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const out = join(root.endsWith('dist') ? join(root, '..') : root, 'bench', 'results', `${name}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ name, date: new Date().toISOString(), meta, rows }, null, 2));
  console.log(`\nwrote ${out}`);
}
