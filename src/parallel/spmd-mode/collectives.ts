/**
 * What an spmd function calls to talk to the other processes of its run (DistributedArrays.SPMD):
 * point-to-point sendto / recvfrom / recvfromAny, and barrier, bcast, scatter and gather among
 * `pids` (by default every process of the run). Every message stays inside the run's context, so
 * concurrent runs in different contexts never see each other's messages.
 */
import { state } from '../../cluster/state.js';
import { ArgumentError, describe } from '../../errors.js';
import { currentRun, type RunScope } from './contexts.js';
import { checkPid, checkTag, post, receive } from './messages.js';

/** Options of the SPMD collectives. */
export interface SpmdCollectiveOptions {
  /** The processes taking part, the same on each of them (default: every process of the spmd run). */
  pids?: readonly number[];
  /** Tells apart calls that may overlap (a string or a number); the same on every participant. */
  tag?: string | number;
}

/** Options of sendto, recvfrom and recvfromAny. */
export interface SpmdTagOptions {
  /** Only a receive with the same tag takes the message (a string or a number). */
  tag?: string | number;
}

function participants(scope: RunScope, opts: SpmdCollectiveOptions, verb: string): number[] {
  if (opts.pids === undefined) return scope.pids;
  if (!Array.isArray(opts.pids) || opts.pids.length === 0) {
    throw new ArgumentError(
      `${verb}: pids must be a non-empty array of process ids, got ${describe(opts.pids)}`,
    );
  }
  const pids = [...new Set(opts.pids.map((p) => checkPid(p, verb, 'pids to hold process ids')))];
  if (!pids.includes(state.myid)) {
    throw new ArgumentError(
      `${verb}: process ${state.myid} is not in pids [${pids.join(', ')}]; call it only on the processes listed`,
    );
  }
  for (const p of pids) member(scope, p, verb);
  return pids.sort((a, b) => a - b);
}

/** Checks that `pid` takes part in the caller's run: no other process could ever answer. */
function member(scope: RunScope, pid: number, verb: string): number {
  if (!scope.pids.includes(pid)) {
    throw new ArgumentError(
      `${verb}: process ${pid} is not part of this spmd run, whose processes are [${scope.pids.join(', ')}]; ` +
        "only they can send or receive in it (pass the others in spmd's pids)",
    );
  }
  return pid;
}

function checkRoot(root: number, pids: number[], verb: string): void {
  checkPid(root, verb, 'the root process id');
  if (!pids.includes(root)) {
    throw new ArgumentError(
      `${verb}: the root ${root} is not in pids [${pids.join(', ')}]; pick a root among them`,
    );
  }
}

/**
 * Sends `data` to process `pid` of the same spmd run, directly (not through the master). Resolves
 * once the message is on its way; it need not be awaited.
 *
 * @example await spmd(async () => { if (myid() === 2) sendto(3, 'hi'); else if (myid() === 3) console.log(await recvfrom(2)); }, { pids: [2, 3] })
 */
export function sendto(pid: number, data: unknown, opts: SpmdTagOptions = {}): Promise<void> {
  const scope = currentRun('sendto');
  return post(
    scope,
    member(scope, checkPid(pid, 'sendto'), 'sendto'),
    's',
    checkTag(opts.tag, 'sendto'),
    data,
    'sendto',
  );
}

/** Waits for the next message that process `pid` sent to this one with `sendto` (and the same tag). */
export async function recvfrom<T = unknown>(pid: number, opts: SpmdTagOptions = {}): Promise<T> {
  const scope = currentRun('recvfrom');
  const from = member(scope, checkPid(pid, 'recvfrom'), 'recvfrom');
  const m = await receive(scope, 's', from, checkTag(opts.tag, 'recvfrom'));
  return m.data as T;
}

/** Waits for the next message sent to this process with `sendto` (and the same tag) by anyone: `[pid, data]`. */
export async function recvfromAny<T = unknown>(opts: SpmdTagOptions = {}): Promise<[number, T]> {
  const scope = currentRun('recvfromAny');
  const m = await receive(scope, 's', undefined, checkTag(opts.tag, 'recvfromAny'));
  return [m.from, m.data as T];
}

/** Waits until every process of `pids` has reached a barrier with the same tag (SPMD form of `barrier`). */
export async function spmdBarrier(opts: SpmdCollectiveOptions = {}): Promise<void> {
  const scope = currentRun('barrier');
  const pids = participants(scope, opts, 'barrier');
  const tag = checkTag(opts.tag, 'barrier');
  for (const p of pids) void post(scope, p, 'b', tag, null, 'barrier');
  // One from each, in turn: a fast process's next barrier message waits, matched by sender.
  for (const p of pids) await receive(scope, 'b', p, tag);
}

/** Every process of `pids` gets `data` as given on `root` (SPMD form of `bcast`). */
export async function spmdBcast<T>(
  data: T | undefined,
  root: number,
  opts: SpmdCollectiveOptions = {},
): Promise<T> {
  const scope = currentRun('bcast');
  const pids = participants(scope, opts, 'bcast');
  checkRoot(root, pids, 'bcast');
  const tag = checkTag(opts.tag, 'bcast');
  if (state.myid !== root) return (await receive(scope, 'c', root, tag)).data as T;
  for (const p of pids) if (p !== root) void post(scope, p, 'c', tag, data, 'bcast');
  return data as T;
}

type Sliceable<T> = { length: number; slice(start: number, end: number): T };

/**
 * Splits `data` (an array or TypedArray, given on `root`) into equal consecutive parts, one per
 * process of `pids` in ascending pid order; each gets its part. `data` is ignored elsewhere.
 *
 * @example const part = await scatter(myid() === 1 ? [1, 2, 3, 4] : undefined, 1, { pids: [1, 2] }) // [1, 2] on 1, [3, 4] on 2
 */
export async function scatter<T extends Sliceable<T>>(
  data: T | undefined,
  root: number,
  opts: SpmdCollectiveOptions = {},
): Promise<T> {
  const scope = currentRun('scatter');
  const pids = participants(scope, opts, 'scatter');
  checkRoot(root, pids, 'scatter');
  const tag = checkTag(opts.tag, 'scatter');
  if (state.myid !== root) return (await receive(scope, 'x', root, tag)).data as T;
  const ok = (Array.isArray(data) || ArrayBuffer.isView(data)) && !(data instanceof DataView);
  if (!ok) {
    throw new ArgumentError(
      `scatter: on the root, data must be an array or a TypedArray, got ${describe(data)}`,
    );
  }
  const x = data as T;
  if (x.length % pids.length !== 0) {
    throw new ArgumentError(
      `scatter: data of length ${x.length} does not split evenly over ${pids.length} processes; ` +
        `give a length that is a multiple of ${pids.length}`,
    );
  }
  const n = x.length / pids.length;
  let mine = x.slice(0, 0);
  for (const [i, p] of pids.entries()) {
    const part = x.slice(i * n, (i + 1) * n);
    if (p === root) mine = part;
    else void post(scope, p, 'x', tag, part, 'scatter');
  }
  return mine;
}

/**
 * Collects `value` from every process of `pids` on `root`: there, the values in ascending pid
 * order; elsewhere `undefined`.
 *
 * @example const all = await gather(myid(), 1) // [1, 2, 3] on process 1
 */
export async function gather<T>(
  value: T,
  root: number,
  opts: SpmdCollectiveOptions = {},
): Promise<T[] | undefined> {
  const scope = currentRun('gather');
  const pids = participants(scope, opts, 'gather');
  checkRoot(root, pids, 'gather');
  const tag = checkTag(opts.tag, 'gather');
  if (state.myid !== root) {
    await post(scope, root, 'g', tag, value, 'gather');
    return undefined;
  }
  const out: T[] = [];
  for (const p of pids) out.push(p === root ? value : ((await receive(scope, 'g', p, tag)).data as T));
  return out;
}
