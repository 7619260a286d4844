/**
 * Collectives among processes, worker to worker (the MPI.jl analogue): allgather, allreduce,
 * bcast, barrier and reduceTo. Each participant calls the same collectives in the same order;
 * messages are one-way deliveries into a mailbox keyed by a tag that all participants derive
 * alike (a per-group sequence number, or an explicit tag).
 */
import { onProcessGone } from '../src/cluster/mesh.js';
import { state, workers } from '../src/cluster/state.js';
import { ArgumentError, describe } from '../src/errors.js';
import { inSpmdRun, spmdBarrier, spmdBcast } from '../src/parallel/spmd-mode/index.js';
import { remoteDo } from '../src/remote/calls.js';
import { ProcessExitedException } from '../src/remote/exceptions.js';
import { registerBuiltin } from '../src/remote/ship.js';

interface Slot {
  values: Map<number, unknown>;
  waiter?: { need: number[]; resolve: () => void; reject: (e: Error) => void };
}

const mailbox = new Map<string, Slot>();
const sequence = new Map<string, number>();

function slot(tag: string): Slot {
  let s = mailbox.get(tag);
  if (!s) mailbox.set(tag, (s = { values: new Map() }));
  return s;
}

function ready(s: Slot): void {
  const w = s.waiter;
  if (w?.need.every((p) => s.values.has(p))) {
    s.waiter = undefined;
    w.resolve();
  }
}

const deliver = registerBuiltin('collectiveDeliver', (tag: string, from: number, value: unknown): void => {
  const s = slot(tag);
  s.values.set(from, value);
  ready(s);
});

onProcessGone((pid, reason) => {
  for (const s of mailbox.values()) {
    if (s.waiter?.need.includes(pid) && !s.values.has(pid)) {
      const w = s.waiter;
      s.waiter = undefined;
      w.reject(new ProcessExitedException(pid, `during a collective: ${reason}`));
    }
  }
});

/** Sends `value` to `pid`'s mailbox under `tag` (one-way). */
export function sendTo(pid: number, tag: string, value: unknown): void {
  if (pid === state.myid) deliver(tag, pid, value);
  else remoteDo(deliver, pid, tag, state.myid, value);
}

/** Waits for a value from each of `from` under `tag`, then empties that slot. */
export async function receiveFrom(tag: string, from: readonly number[]): Promise<Map<number, unknown>> {
  const s = slot(tag);
  const gone = from.find((p) => state.gone.has(p) && !s.values.has(p));
  if (gone !== undefined) throw new ProcessExitedException(gone, 'before a collective completed');
  if (!from.every((p) => s.values.has(p))) {
    await new Promise<void>((resolve, reject) => {
      s.waiter = { need: [...from], resolve, reject };
    });
  }
  mailbox.delete(tag);
  return s.values;
}

/** Which processes take part in a collective, and how its messages are matched across calls. */
export interface CollectiveOptions {
  /** The participating processes (default: all workers), the same list on every participant. */
  group?: readonly number[];
  /** The same as `group`, as DistributedArrays' SPMD mode names it (inside spmd, default: the run's processes). */
  pids?: readonly number[];
  /** An explicit tag; by default a per-group sequence number, so calls must happen in the same order. */
  tag?: string | number;
}

function setup(opts: CollectiveOptions, verb: string): { group: number[]; tag: string } {
  const group = [...(opts.group ?? opts.pids ?? workers())];
  if (!group.every((p) => Number.isInteger(p) && p >= 1)) {
    throw new ArgumentError(`${verb}: group must be an array of process ids, got ${describe(opts.group)}`);
  }
  if (!group.includes(state.myid)) {
    throw new ArgumentError(
      `${verb}: process ${state.myid} is not in the group [${group.join(', ')}]; call it on the group's members`,
    );
  }
  const key = group.join(',');
  let tag = opts.tag === undefined ? undefined : String(opts.tag);
  if (tag === undefined) {
    const n = (sequence.get(key) ?? 0) + 1;
    sequence.set(key, n);
    tag = `${verb}:${key}#${n}`;
  }
  return { group, tag };
}

/**
 * Every member gets every member's value, in group order.
 *
 * @example await everywhere(async () => console.log(await allgather(myid()))) // [2, 3] on each worker
 */
export async function allgather<T>(value: T, opts: CollectiveOptions = {}): Promise<T[]> {
  const { group, tag } = setup(opts, 'allgather');
  for (const p of group) if (p !== state.myid) sendTo(p, tag, value);
  const others = group.filter((p) => p !== state.myid);
  const got = await receiveFrom(tag, others);
  return group.map((p) => (p === state.myid ? value : (got.get(p) as T)));
}

/**
 * How allreduce and reduceTo combine values: a built-in numeric op by name, or any associative
 * function of two values.
 *
 * @example await allreduce(localSum, 'sum'); await allreduce(v, (a, b) => (a.n > b.n ? a : b))
 */
export type Combine<T> = 'sum' | 'prod' | 'min' | 'max' | ((a: T, b: T) => T);

function combiner<T>(op: Combine<T>): (a: T, b: T) => T {
  if (typeof op === 'function') return op;
  const f = {
    sum: (a: number, b: number) => a + b,
    prod: (a: number, b: number) => a * b,
    min: Math.min,
    max: Math.max,
  }[op];
  if (!f)
    throw new ArgumentError(
      `collective: op must be 'sum', 'prod', 'min', 'max' or a function, got ${describe(op)}`,
    );
  return f as unknown as (a: T, b: T) => T;
}

/** Every member gets the reduction of all members' values with `op`. */
export async function allreduce<T>(value: T, op: Combine<T>, opts: CollectiveOptions = {}): Promise<T> {
  const all = await allgather(value, opts);
  return all.reduce(combiner(op));
}

/** The root gets the reduction of all members' values; the others get undefined. */
export async function reduceTo<T>(
  value: T,
  op: Combine<T>,
  root: number,
  opts: CollectiveOptions = {},
): Promise<T | undefined> {
  const { group, tag } = setup(opts, 'reduceTo');
  if (state.myid !== root) {
    sendTo(root, tag, value);
    return undefined;
  }
  const got = await receiveFrom(
    tag,
    group.filter((p) => p !== root),
  );
  const f = combiner(op);
  let acc = value;
  for (const p of group) if (p !== root) acc = f(acc, got.get(p) as T);
  return acc;
}

/** Every member gets the root's value. Inside an spmd run, among the run's processes and in its context. */
export async function bcast<T>(value: T | undefined, root: number, opts: CollectiveOptions = {}): Promise<T> {
  if (inSpmdRun()) return spmdBcast(value, root, { pids: opts.pids ?? opts.group, tag: opts.tag });
  const { group, tag } = setup(opts, 'bcast');
  if (state.myid === root) {
    for (const p of group) if (p !== root) sendTo(p, tag, value);
    return value as T;
  }
  return (await receiveFrom(tag, [root])).get(root) as T;
}

/** Waits until every member has reached the barrier. Inside an spmd run, among the run's processes and in its context. */
export async function barrier(opts: CollectiveOptions = {}): Promise<void> {
  if (inSpmdRun()) return spmdBarrier({ pids: opts.pids ?? opts.group, tag: opts.tag });
  await allgather(null, { ...opts, tag: opts.tag ?? undefined });
}
