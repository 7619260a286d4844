/**
 * The SPMD contexts one process holds (DistributedArrays' per-process context table): each has the
 * mailbox its runs receive from, the receives waiting on it, and the store that
 * contextLocalStorage() hands out. A context is made on first use, by a run or by a message that
 * arrived before the run reached this process.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ArgumentError } from '../../errors.js';

/** What a message is for: sendto, barrier, bcast, scatter or gather (each matched only by its own kind). */
export type MessageKind = 's' | 'b' | 'c' | 'x' | 'g';

/** A tag that tells messages of the same kind apart; `null` when none was given. */
export type Tag = string | number | null;

/** One message as queued in a context's mailbox. */
export interface Message {
  kind: MessageKind;
  from: number;
  tag: Tag;
  data: unknown;
}

/** A receive that found no matching message yet. `from` undefined accepts any sender. */
export interface Waiter {
  kind: MessageKind;
  from: number | undefined;
  tag: Tag;
  run: string;
  resolve: (m: Message) => void;
  reject: (err: Error) => void;
}

/** One context on this process. */
export interface ContextState {
  id: string;
  /** The processes of the run(s) using it here; empty until a run starts on this process. */
  pids: number[];
  queue: Message[];
  waiters: Waiter[];
  store: Map<unknown, unknown>;
  /** Runs that a member's failure has ended, with the error their receives fail with. */
  aborted: Map<string, Error>;
}

/** What an spmd function sees as its own: its context and the run it belongs to. */
export interface RunScope {
  ctx: ContextState;
  run: string;
  /** The processes of this run, sorted: the default `pids` of barrier, bcast, scatter and gather. */
  pids: number[];
}

/** Carries the run through every await of the spmd function, as Julia's task-local storage does. */
export const runScope = new AsyncLocalStorage<RunScope>();

const contexts = new Map<string, ContextState>();
/** Ids of contexts deleted here, so a message that arrives late does not make them again. */
const deleted = new Set<string>();
const DELETED_KEPT = 4096;

/** The context `id` on this process, made empty if new; undefined if it was deleted here. */
export function contextState(id: string): ContextState | undefined {
  let c = contexts.get(id);
  if (!c && !deleted.has(id)) {
    c = { id, pids: [], queue: [], waiters: [], store: new Map(), aborted: new Map() };
    contexts.set(id, c);
  }
  return c;
}

/** Drops context `id` here: its store, its unread messages; its waiting receives fail. */
export function deleteContext(id: string): void {
  const c = contexts.get(id);
  contexts.delete(id);
  deleted.add(id);
  // Oldest first: a Set iterates in insertion order.
  if (deleted.size > DELETED_KEPT) for (const old of deleted) if (deleted.delete(old)) break;
  if (!c) return;
  const waiters = c.waiters.splice(0);
  for (const w of waiters)
    w.reject(new ArgumentError(`spmd: context ${id} was closed while a receive waited on it`));
}

/** Every context held here (for the process-exit listener). */
export function allContexts(): IterableIterator<ContextState> {
  return contexts.values();
}

/**
 * How many SPMD contexts this process holds: 0 once every run has ended and every context made
 * with `context()` has been closed (for leak checks, as `localChunkCount` is for DArrays).
 *
 * @example await remotecallFetch(() => spmdContextCount(), 2) // 0
 */
export function spmdContextCount(): number {
  return contexts.size;
}

/** The run the caller is part of, or a clear error when called outside `spmd`. */
export function currentRun(verb: string): RunScope {
  const s = runScope.getStore();
  if (!s) {
    throw new ArgumentError(
      `${verb}: called outside an spmd run; call it inside the function passed to spmd(fn, ...args, { pids })`,
    );
  }
  return s;
}

/** Whether the caller runs inside an spmd run (so barrier and bcast take the SPMD form). */
export function inSpmdRun(): boolean {
  return runScope.getStore() !== undefined;
}
