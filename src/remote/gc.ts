/**
 * Distributed garbage collection of remote values (Julia's add_client / del_client). The owner
 * of a value keeps the set of processes that hold a reference to it and frees the value when the
 * set is empty. A process counts its live proxies per reference and releases its hold when the
 * last one is finalized (explicitly, by fetching a Future, or by the garbage collector).
 * Releases are batched and ride on the next message to the owner, or go alone after a short delay;
 * holds for a process a reference is sent to are registered with the owner before the send.
 */

import { registerPiggyback } from '../cluster/connection.js';
import { connectionTo } from '../cluster/mesh.js';
import { state } from '../cluster/state.js';
import { onEncoded } from '../cluster/wire/codec.js';
import { handleKind } from './frame-handlers.js';
import { addClient, type RRID, removeClient } from './store.js';

const keyOf = (rr: RRID): string => `${rr[0]}:${rr[1]}`;

/** Live proxies on this process, per reference. */
const live = new Map<string, { owner: number; rr: RRID; count: number }>();
/** Releases waiting to be sent, per owner. */
const pendingRelease = new Map<number, RRID[]>();
/** Holds to register for processes a reference is being sent to, committed once the send encodes. */
let pendingAdds: { owner: number; rr: RRID; client: number }[] = [];
let flushTimer: NodeJS.Timeout | undefined;
const FLUSH_DELAY_MS = 20;

const registry = new FinalizationRegistry<{ owner: number; rr: RRID }>(({ owner, rr }) => release(owner, rr));

/** Counts a new proxy for `rr` (owned by `owner`) on this process; the GC releases it when collected. */
export function track(proxy: object, owner: number, rr: RRID, token: object = proxy): void {
  const k = keyOf(rr);
  const e = live.get(k);
  if (e) e.count++;
  else live.set(k, { owner, rr, count: 1 });
  registry.register(proxy, { owner, rr }, token);
}

/**
 * Stops the GC from releasing a proxy that was released some other way: explicitly (`'now'`), or
 * after a fetch or put cached its value here (`'batched'`: the release rides on the next message to
 * the owner). As in Julia, the holder releases after it has the value, not the owner as it answers,
 * so a reference forwarded meanwhile is registered with the owner before this release arrives.
 */
export function untrack(token: object, rr: RRID, when: 'now' | 'batched'): void {
  if (!registry.unregister(token)) return;
  const k = keyOf(rr);
  const e = live.get(k);
  if (!e) return;
  if (--e.count > 0) return;
  live.delete(k);
  queueRelease(e.owner, rr, when === 'now');
}

/** Releases one proxy's hold: the owner hears of it once no proxy of `rr` is left here. */
export function release(owner: number, rr: RRID, now = false): void {
  const k = keyOf(rr);
  const e = live.get(k);
  if (e && --e.count > 0) return;
  live.delete(k);
  queueRelease(owner, rr, now);
}

function queueRelease(owner: number, rr: RRID, now: boolean): void {
  if (owner === state.myid) {
    removeClient(rr, state.myid);
    return;
  }
  if (state.gone.has(owner)) return;
  let list = pendingRelease.get(owner);
  if (!list) pendingRelease.set(owner, (list = []));
  list.push(rr);
  if (now) flush(owner);
  else if (!flushTimer) {
    flushTimer = setTimeout(() => {
      flushTimer = undefined;
      for (const o of [...pendingRelease.keys()]) flush(o);
    }, FLUSH_DELAY_MS);
    flushTimer.unref();
  }
}

function flush(owner: number): void {
  const list = pendingRelease.get(owner);
  if (!list || list.length === 0) return;
  pendingRelease.delete(owner);
  send(owner, { del: list });
}

function send(owner: number, gc: { add?: [RRID, number][]; del?: RRID[] }): void {
  try {
    const c = connectionTo(owner);
    const go = (conn: { send: (env: { k: string; gc: unknown }) => void }) => conn.send({ k: 'gc', gc });
    if (c instanceof Promise) c.then(go).catch(() => {});
    else go(c);
  } catch {
    // The owner is gone: nothing is left to release.
  }
}

/** Called while encoding a reference for process `client`: it will hold `rr` once the message lands. */
export function holdFor(owner: number, rr: RRID, client: number): void {
  if (client <= 0 || client === owner) return;
  pendingAdds.push({ owner, rr, client });
}

onEncoded((ok) => {
  if (pendingAdds.length === 0) return;
  const adds = pendingAdds;
  pendingAdds = [];
  if (!ok) return;
  for (const { owner, rr, client } of adds) {
    if (owner === state.myid) addClient(rr, client);
    // Sent at once, ahead of the message that carries the reference, so the owner cannot free
    // the value between our release and the receiver's first use.
    else send(owner, { add: [[rr, client]] });
  }
});

function apply(gc: { add?: [RRID, number][]; del?: RRID[] }, from: number): void {
  for (const [rr, client] of gc.add ?? []) addClient(rr, client);
  for (const rr of gc.del ?? []) removeClient(rr, from);
}

// Pending releases ride on any message to their owner.
registerPiggyback(
  'gc',
  (peer) => {
    const list = pendingRelease.get(peer);
    if (!list || list.length === 0) return undefined;
    pendingRelease.delete(peer);
    return { del: list };
  },
  (gc, from) => apply(gc as { add?: [RRID, number][]; del?: RRID[] }, from),
);

handleKind('gc', (conn, frame) => apply(frame.env.gc as { add?: [RRID, number][]; del?: RRID[] }, conn.peer));

/** Number of references this process holds proxies for (for tests). */
export function liveProxyCount(): number {
  return live.size;
}
