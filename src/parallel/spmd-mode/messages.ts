/**
 * SPMD messages: each goes straight from the sending process to the receiving one over the mesh
 * (a one-way frame of kind 'spmd'), never through the master, and waits in the receiver's context
 * mailbox until a receive of the same kind, sender and tag takes it. Messages from one sender to
 * one receiver arrive in the order they were sent.
 */
import type { Connection } from '../../cluster/connection.js';
import { connectionTo, onProcessGone } from '../../cluster/mesh.js';
import { state } from '../../cluster/state.js';
import { encodeFrame } from '../../cluster/wire/frame.js';
import { ArgumentError, describe, ProcessExitedException } from '../../errors.js';
import { handleKind } from '../../remote/frame-handlers.js';
import {
  allContexts,
  type ContextState,
  contextState,
  type Message,
  type MessageKind,
  type RunScope,
  type Tag,
} from './contexts.js';

/** Sends still waiting for their connection to open, by destination, so later ones queue behind. */
const opening = new Map<number, Promise<void>>();

function matches(m: Message, kind: MessageKind, from: number | undefined, tag: Tag): boolean {
  return m.kind === kind && m.tag === tag && (from === undefined || m.from === from);
}

/** Hands an arrived message to the first receive waiting for it, or queues it. */
function deliver(ctx: ContextState, m: Message): void {
  const i = ctx.waiters.findIndex((w) => matches(m, w.kind, w.from, w.tag));
  if (i < 0) {
    ctx.queue.push(m);
    return;
  }
  const [w] = ctx.waiters.splice(i, 1);
  w?.resolve(m);
}

/** Checks a tag given by the user: a string or a number, or undefined for none. */
export function checkTag(tag: unknown, verb: string): Tag {
  if (tag === undefined || tag === null) return null;
  if (typeof tag === 'string' || (typeof tag === 'number' && Number.isFinite(tag))) return tag;
  throw new ArgumentError(`${verb}: tag must be a string or a finite number, got ${describe(tag)}`);
}

/** Checks a process id given by the user. */
export function checkPid(pid: unknown, verb: string, what = 'a process id'): number {
  if (typeof pid === 'number' && Number.isInteger(pid) && pid >= 1) return pid;
  throw new ArgumentError(
    `${verb}: expected ${what} (a positive integer, see procs()), got ${describe(pid)}`,
  );
}

/**
 * Sends one message of `kind` to `pid` in the caller's context. Throws at once when the data
 * cannot be sent or the process is known to be gone; resolves when the message is on its way.
 */
export function post(
  scope: RunScope,
  pid: number,
  kind: MessageKind,
  tag: Tag,
  data: unknown,
  verb: string,
): Promise<void> {
  const id = scope.ctx.id;
  if (pid === state.myid) {
    // To itself: no copy, as a remote call to the calling process; delivered after this turn.
    queueMicrotask(() => {
      const ctx = contextState(id);
      if (ctx) deliver(ctx, { kind, from: state.myid, tag, data });
    });
    return Promise.resolve();
  }
  let parts: Buffer[];
  try {
    parts = encodeFrame({ k: 'spmd', c: id, t: kind, g: tag }, data, pid);
  } catch (err) {
    throw new ArgumentError(
      `${verb}: ${describe(data)} cannot be sent to process ${pid}: ${(err as Error).message}. ` +
        'Send plain data: numbers, strings, arrays, TypedArrays, plain objects, Maps or Sets',
    );
  }
  const before = opening.get(pid);
  const c = before ? undefined : connectionTo(pid);
  if (c !== undefined && !(c instanceof Promise)) {
    c.sendEncoded(parts);
    return Promise.resolve();
  }
  // Queued behind any send to `pid` that is still waiting, so the order on the wire is kept.
  const p: Promise<void> = (before ?? Promise.resolve()).then(async () => {
    const conn: Connection = await connectionTo(pid);
    conn.sendEncoded(parts);
  });
  const tail = p.then(
    () => {
      if (opening.get(pid) === tail) opening.delete(pid);
    },
    () => {
      if (opening.get(pid) === tail) opening.delete(pid);
    },
  );
  opening.set(pid, tail);
  // A caller that does not await the send must not get an unhandled rejection: a lost peer also
  // fails every receive from it, which is where SPMD code notices.
  p.catch(() => {});
  return p;
}

/** Ends `run` in `ctx` here: its waiting and later receives fail with `err`. */
export function abortRun(ctx: ContextState, run: string, err: Error): void {
  if (!ctx.aborted.has(run)) ctx.aborted.set(run, err);
  const keep = [];
  for (const w of ctx.waiters) {
    if (w.run === run) w.reject(err);
    else keep.push(w);
  }
  ctx.waiters = keep;
}

handleKind('spmd', (conn, frame) => {
  const env = frame.env;
  const ctx = contextState(env.c as string);
  // A context already closed here: nobody can receive the message any more.
  if (!ctx) return;
  deliver(ctx, { kind: env.t as MessageKind, from: conn.peer, tag: env.g as Tag, data: frame.decodeBody() });
});

/**
 * Takes the first message of `kind` and `tag` (from `from`, or from anyone) in the caller's
 * context, waiting for it if none has arrived. Fails rather than waits forever when the sender,
 * or for a receive from anyone a process of the run, has exited, or when another process of the
 * run has failed.
 */
export function receive(
  scope: RunScope,
  kind: MessageKind,
  from: number | undefined,
  tag: Tag,
): Promise<Message> {
  const { ctx, run } = scope;
  const i = ctx.queue.findIndex((m) => matches(m, kind, from, tag));
  if (i >= 0) return Promise.resolve(ctx.queue.splice(i, 1)[0] as Message);
  const aborted = ctx.aborted.get(run);
  if (aborted) return Promise.reject(aborted);
  const gone = (from === undefined ? ctx.pids : [from]).find((p) => state.gone.has(p));
  if (gone !== undefined) {
    return Promise.reject(
      new ProcessExitedException(gone, `an spmd receive waited on it: ${state.gone.get(gone)}`),
    );
  }
  return new Promise<Message>((resolve, reject) => {
    ctx.waiters.push({ kind, from, tag, run, resolve, reject });
  });
}

// A process that exits fails the receives that waited on it, so no spmd run hangs on a dead peer.
onProcessGone((pid, reason) => {
  for (const ctx of allContexts()) {
    const keep = [];
    for (const w of ctx.waiters) {
      if (w.from === pid || (w.from === undefined && ctx.pids.includes(pid))) {
        w.reject(new ProcessExitedException(pid, `an spmd receive waited on it: ${reason}`));
      } else keep.push(w);
    }
    ctx.waiters = keep;
  }
});
