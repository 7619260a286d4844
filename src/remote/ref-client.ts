/** Asking the owner of a remote reference to fetch, wait for, test or fill it. */

import type { Connection } from '../cluster/connection.js';
import { connectionTo } from '../cluster/mesh.js';
import type { Frame } from '../cluster/wire/frame.js';
import { type CapturedError, capture, RemoteException } from './exceptions.js';
import type { RRID } from './store.js';

/** Sends a reference operation to `pid` and returns the reply's value (or throws its error). */
export async function ownerRequest(
  pid: number,
  op: string,
  rr: RRID,
  value?: unknown,
  verb?: string,
): Promise<unknown> {
  const c = connectionTo(pid);
  const conn: Connection = c instanceof Promise ? await c : c;
  const env = { k: 'ref', op, rr: [rr[0], rr[1]], ...(verb ? { verb } : {}) };
  const body = op === 'put' ? [value] : op === 'ch' ? value : undefined;
  const reply = await conn.request(env, body);
  return unwrapReply(reply, pid);
}

/** The value of a reply frame, or the RemoteException it carries. */
export function unwrapReply(reply: Frame, from = 0): unknown {
  let body: unknown;
  try {
    body = reply.decodeBody();
  } catch (err) {
    throw new RemoteException(
      from,
      capture(new Error(`the reply could not be decoded: ${(err as Error).message}`)),
    );
  }
  if (reply.env.ok) return body;
  throw new RemoteException(reply.env.pid as number, body as CapturedError);
}
