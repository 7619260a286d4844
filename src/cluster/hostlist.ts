/**
 * Slurm's compact host lists (`node[001-015]`, `a[1-3,7],b5`, `rack[1-2]-n[01-02]`) expanded to
 * host names, in the order Slurm lists them, for SLURM_NODELIST and SLURM_STEP_NODELIST.
 */
import { ArgumentError } from '../errors.js';

/** Most hosts one list may expand to; a typo such as `n[1-100000000]` fails instead of filling memory. */
const MAX_HOSTS = 1_000_000;

/**
 * Expands a Slurm host list into host names.
 *
 * @example expandHostlist('node[001-003],gpu7') // ['node001', 'node002', 'node003', 'gpu7']
 */
export function expandHostlist(list: string): string[] {
  if (typeof list !== 'string') {
    throw new ArgumentError(`expandHostlist: expected a string such as 'node[1-4]', got ${typeof list}`);
  }
  const hosts: string[] = [];
  for (const item of splitTopLevel(list)) {
    if (item === '') continue;
    for (const h of expandItem(item, list)) {
      hosts.push(h);
      if (hosts.length > MAX_HOSTS) {
        throw new ArgumentError(`expandHostlist: '${list}' expands to more than ${MAX_HOSTS} hosts`);
      }
    }
  }
  return hosts;
}

/** Splits at the commas that are outside brackets: `a[1,2],b` → `a[1,2]`, `b`. */
function splitTopLevel(list: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (c === '[') {
      if (depth > 0) throw bad(list, `nested '[' at position ${i}`);
      depth++;
    } else if (c === ']') {
      if (depth === 0) throw bad(list, `']' without '[' at position ${i}`);
      depth--;
    } else if (c === ',' && depth === 0) {
      items.push(list.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (depth !== 0) throw bad(list, "a '[' that is never closed");
  items.push(list.slice(start).trim());
  return items;
}

/** One item: literal text and bracketed ranges; several brackets give their cartesian product. */
function expandItem(item: string, whole: string): string[] {
  let out = [''];
  const re = /\[([^\]]*)\]/g;
  let last = 0;
  for (let m = re.exec(item); m !== null; m = re.exec(item)) {
    const prefix = item.slice(last, m.index);
    const values = expandRanges(m[1] ?? '', whole);
    const next: string[] = [];
    for (const head of out) for (const v of values) next.push(head + prefix + v);
    out = next;
    last = m.index + m[0].length;
  }
  const tail = item.slice(last);
  return out.map((head) => head + tail);
}

/** `001-003,7` → `001`, `002`, `003`, `7`: a range keeps the zero padding of its first bound. */
function expandRanges(spec: string, whole: string): string[] {
  const out: string[] = [];
  for (const part of spec.split(',')) {
    const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (!m) throw bad(whole, `expected a number or a range such as 1-4 inside brackets, got '${part}'`);
    const lo = m[1] as string;
    const hi = m[2] ?? lo;
    const a = Number(lo);
    const b = Number(hi);
    if (b < a) throw bad(whole, `the range ${part} runs backwards`);
    if (b - a + out.length > MAX_HOSTS) throw bad(whole, `the range ${part} is too large`);
    const width = lo.length;
    for (let n = a; n <= b; n++) out.push(String(n).padStart(width, '0'));
  }
  return out;
}

function bad(list: string, why: string): ArgumentError {
  return new ArgumentError(
    `expandHostlist: cannot read the Slurm host list '${list}': ${why}; ` +
      "expected names and bracketed ranges such as 'node[001-015]' or 'a[1-3,7],b5'",
  );
}
