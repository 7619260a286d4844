/**
 * Serves requests that arrive from other processes: calls, reference operations, and the
 * cluster-membership messages the master sends to workers.
 */
import type { Connection } from '../cluster/connection.js';
import { setMessageHandler } from '../cluster/mesh.js';
import { state } from '../cluster/state.js';
import type { Frame } from '../cluster/wire/frame.js';
import { invoke, type Outcome } from './calls.js';
import { capture, RemoteException } from './exceptions.js';
import { kindHandler } from './frame-handlers.js';
import { localOp } from './future.js';
import { type ChannelLike, channelOp, makeChannelHere } from './remote-channel.js';
import type { RRID } from './store.js';
import { settle } from './store.js';

type Fn = (...args: unknown[]) => unknown;

function reply(conn: Connection, id: number, ok: boolean, value: unknown, pid = state.myid): void {
  if (!conn.isOpen) return;
  try {
    conn.send({ k: 'res', id, ok, pid }, value);
  } catch (err) {
    // The result itself could not be encoded: say so instead of leaving the caller waiting.
    const why = new TypeError(`the result cannot be sent back: ${(err as Error).message}`);
    conn.send({ k: 'res', id, ok: false, pid: state.myid }, capture(why));
  }
}

function replyError(conn: Connection, id: number, err: unknown): void {
  if (err instanceof RemoteException) reply(conn, id, false, err.captured, err.pid);
  else reply(conn, id, false, capture(err));
}

function onCall(conn: Connection, frame: Frame): void {
  const env = frame.env;
  const id = env.id as number;
  const mode = env.m as CallMode;
  const rr = env.rr as RRID | undefined;
  let fn: Fn;
  let args: unknown[];
  try {
    [fn, args] = frame.decodeBody() as [Fn, unknown[]];
    if (typeof fn !== 'function') throw new TypeError('the call did not carry a function');
  } catch (err) {
    const failure = {
      pid: state.myid,
      captured: capture(new TypeError(`the call could not be decoded: ${(err as Error).message}`)),
    };
    if (rr) settle(rr, false, failure);
    if (mode === 'fetch' || mode === 'wait') reply(conn, id, false, failure.captured);
    if (mode === 'do') process.stderr.write(`darray: ${failure.captured.message}\n`);
    return;
  }
  const r = invoke(fn, args);
  // A call that returned a plain value answers now, in the turn its frame arrived in.
  if (r instanceof Promise) void r.then((o) => finishCall(conn, id, mode, rr, o));
  else finishCall(conn, id, mode, rr, r);
}

type CallMode = 'future' | 'fetch' | 'wait' | 'do';

function finishCall(conn: Connection, id: number, mode: CallMode, rr: RRID | undefined, r: Outcome): void {
  switch (mode) {
    case 'fetch':
      if (r.ok) reply(conn, id, true, r.value);
      else reply(conn, id, false, r.value.captured, r.value.pid);
      return;
    case 'future':
    case 'wait':
      if (rr) settle(rr, r.ok, r.value);
      // remotecallWait fails as the call did, as it does for a call on the caller's own process.
      if (mode === 'wait') {
        if (r.ok) reply(conn, id, true, undefined);
        else reply(conn, id, false, r.value.captured, r.value.pid);
      }
      return;
    case 'do':
      if (!r.ok)
        process.stderr.write(
          `darray: error in remoteDo on process ${state.myid}: ${r.value.captured.stack}\n`,
        );
      return;
  }
}

async function onRef(conn: Connection, frame: Frame): Promise<void> {
  const env = frame.env;
  const id = env.id as number;
  try {
    const rr = env.rr as RRID;
    let value: unknown;
    if (env.op === 'ch') value = await channelOp(rr, env.verb as string, frame.decodeBody() as unknown[]);
    else if (env.op === 'mkch') {
      const [factory, args] = frame.decodeBody() as [(...a: never[]) => ChannelLike, unknown[]];
      makeChannelHere(rr, factory, args);
    } else {
      const body = env.op === 'put' ? (frame.decodeBody() as [unknown])[0] : undefined;
      value = await localOp(rr, env.op as string, body);
    }
    reply(conn, id, true, value);
  } catch (err) {
    replyError(conn, id, err);
  }
}

setMessageHandler((conn, frame) => {
  const kind = frame.env.k;
  if (kind === 'call') {
    try {
      onCall(conn, frame);
    } catch (err) {
      // As when this ran in an async function: an unhandled rejection (logged on a worker, see
      // task-errors.ts), never an exception thrown into the socket's data handler.
      void Promise.reject(err);
    }
  } else if (kind === 'ref') void onRef(conn, frame);
  else {
    const h = kindHandler(kind);
    if (h) {
      void (async () => {
        try {
          await h(conn, frame);
        } catch (err) {
          if (typeof frame.env.id === 'number') replyError(conn, frame.env.id, err);
          else process.stderr.write(`darray: failed to handle '${kind}': ${(err as Error).message}\n`);
        }
      })();
    } else if (typeof frame.env.id === 'number') {
      replyError(
        conn,
        frame.env.id,
        new TypeError(`unknown message kind '${kind}' (mismatched darray versions?)`),
      );
    }
  }
});
