/**
 * Values this process owns on behalf of remote references (Julia's PGRP.refs): results of
 * remotecall, values put into Futures. A value is created on first mention (a fetch may arrive
 * before the call that fills it) and freed when its last client has released it.
 */
import { held } from '../cluster/keepalive.js';
import { onProcessGone } from '../cluster/mesh.js';
import { ArgumentError } from '../errors.js';
import type { CapturedError } from './exceptions.js';

/** A remote reference id: the pid that created the reference and a number unique on that process. */
export type RRID = readonly [whence: number, id: number];

interface Slot {
  done: boolean;
  ok: boolean;
  value: unknown;
  waiters: (() => void)[];
  /** Processes holding a reference; the slot is freed when the last one releases it. */
  clients: Set<number>;
}

const slots = new Map<string, Slot>();
/** Keys released recently, so a late fetch fails clearly instead of waiting forever. */
const released = new Set<string>();
const RELEASED_MEMORY = 100_000;

const key = (rr: RRID): string => `${rr[0]}:${rr[1]}`;

function slotFor(rr: RRID): Slot {
  const k = key(rr);
  let s = slots.get(k);
  if (!s) {
    if (released.has(k)) {
      throw new ArgumentError(
        `the value of remote reference (${rr[0]}, ${rr[1]}) was already fetched and freed by its owner; ` +
          'keep the fetched value, or fetch it once and share the result',
      );
    }
    s = { done: false, ok: true, value: undefined, waiters: [], clients: new Set([rr[0]]) };
    slots.set(k, s);
  }
  return s;
}

/** Stores the outcome of a call or put. Throws if the reference already holds a value. */
export function settle(rr: RRID, ok: boolean, value: unknown): void {
  // Its creator let go before the value existed (a release can overtake a slow call): drop it.
  if (!slots.has(key(rr)) && released.has(key(rr))) return;
  const s = slotFor(rr);
  if (s.done)
    throw new ArgumentError(
      `remote reference (${rr[0]}, ${rr[1]}) already holds a value; a Future can be put only once`,
    );
  s.done = true;
  s.ok = ok;
  s.value = value;
  const waiters = s.waiters;
  s.waiters = [];
  for (const w of waiters) w();
}

/** Resolves once the reference holds a value. */
export function whenSettled(rr: RRID): Promise<void> | undefined {
  const s = slotFor(rr);
  if (s.done) return undefined;
  // Waiting for a value another process will put keeps an idle master alive.
  return new Promise<void>((resolve) => s.waiters.push(held(resolve, () => {}).resolve));
}

/** The outcome held by a settled reference. */
export function outcome(rr: RRID): { ok: boolean; value: unknown } {
  const s = slotFor(rr);
  return { ok: s.ok, value: s.value };
}

/** Whether the value of `rr` exists yet (a Future's isReady, asked of its owner). */
export function isSettled(rr: RRID): boolean {
  return slotFor(rr).done;
}

/** Records that `pid` holds a reference to `rr`, so the value outlives the other holders' releases. */
export function addClient(rr: RRID, pid: number): void {
  slotFor(rr).clients.add(pid);
}

/** Releases `pid`'s hold on a reference; frees the value when no holder remains. */
export function removeClient(rr: RRID, pid: number): void {
  const k = key(rr);
  const s = slots.get(k);
  if (!s) {
    // The creator released a value not made yet; remember, so that settle() does not keep it.
    if (pid === rr[0]) forget(k);
    return;
  }
  s.clients.delete(pid);
  if (s.clients.size === 0 && s.waiters.length === 0) {
    slots.delete(k);
    forget(k);
  }
}

function forget(k: string): void {
  released.add(k);
  if (released.size > RELEASED_MEMORY) released.delete(released.values().next().value as string);
}

/** Drops every client that is `pid` (the process exited), freeing what only it held. */
export function dropClient(pid: number): void {
  for (const [k, s] of slots) {
    if (s.clients.delete(pid) && s.clients.size === 0 && s.waiters.length === 0) slots.delete(k);
  }
}

// A process that left holds nothing any more.
onProcessGone((pid) => dropClient(pid));

/** Number of values this process holds for remote references. */
export function storedCount(): number {
  return slots.size;
}

/** A settled reference's result: the value, or the captured error of the call that made it. */
export type Outcome = { ok: true; value: unknown } | { ok: false; value: CapturedError };

/**
 * How many values this process holds for remote references (results not yet fetched, values put
 * into Futures). Useful in tests and for spotting leaks.
 *
 * @example await remotecallFetch(() => remoteRefCount(), 2) // 0 once every Future was fetched
 */
export function remoteRefCount(): number {
  return slots.size;
}
