/**
 * Future: a reference to a value that will exist on one process (its owner, `where`). Fetching
 * caches the value here and releases the owner's copy, as in Julia.
 */

import { state } from '../cluster/state.js';
import { currentEncodeTarget, registerWireType } from '../cluster/wire/codec.js';
import { type CapturedError, RemoteException } from './exceptions.js';
import { holdFor, track, untrack } from './gc.js';
import { ownerRequest } from './ref-client.js';
import { isSettled, outcome, type RRID, settle, whenSettled } from './store.js';

let nextRefId = 1;
/** A fresh id for a reference created by this process. */
export function newRRID(): RRID {
  return [state.myid, nextRefId++];
}

/** An error that happened before the call reached its owner (e.g. no connection). */
type Failure = { error: Error };

/**
 * A remote reference to one value that is, or will be, on process `where` (Julia's Future):
 * what `remotecall` and `spawnAt` return, or an empty one to `put` into once. `fetch` brings the
 * value here and caches it; a call that threw rethrows as RemoteException on each fetch. The
 * owner keeps the value until no process holds a reference (distributed GC); `finalize` lets go
 * early. A Future can be sent to other processes, which then fetch from the owner directly.
 *
 * @example
 * const f = remotecall((x: number) => x * 2, 2, 21); // runs on process 2
 * await f.wait(); console.log(await f.isReady(), await f.fetch()); // true 42
 * const box = new Future<string>(3); await box.put('hi'); // empty, owned by process 3
 */
export class Future<T = unknown> {
  /** The process that owns the value (runs the call, or receives the put). */
  readonly where: number;
  /** The process that created this reference; with `id`, the reference's cluster-wide identity. */
  readonly whence: number;
  /** The reference's number, unique on `whence`. */
  readonly id: number;
  private cache: { value: T } | undefined;
  /** Set when the call could not be delivered; fetch and wait then fail with it. */
  private failure: Failure | undefined;
  private inflight: Promise<T> | undefined;

  /**
   * An empty Future owned by `pid` (default: this process), to be filled once with `put`.
   *
   * @example const f = new Future(2); await f.put(42); await f.fetch() // 42
   */
  constructor(pid: number = state.myid, rr: RRID = newRRID(), cached?: { value: T }) {
    this.where = pid;
    this.whence = rr[0];
    this.id = rr[1];
    this.cache = cached;
    // A Future that carries its value holds nothing remote; any other counts as a holder.
    if (!cached) track(this, pid, rr);
  }

  /**
   * Releases this reference now instead of when it is garbage-collected; the owner frees the value
   * once no process holds it. Fetching already does this.
   */
  finalize(): void {
    if (this.released) return;
    this.released = true;
    untrack(this, this.rrid, 'now');
  }

  private released = false;

  /** The reference id: [whence, id]. */
  get rrid(): RRID {
    return [this.whence, this.id];
  }

  /** @internal Records a delivery failure. */
  fail(error: Error): void {
    this.failure ??= { error };
  }

  /** @internal The cached value, if any. */
  peek(): { value: T } | undefined {
    return this.cache;
  }

  /** True once fetched here: the value is held locally and the owner's copy is released. */
  get isCached(): boolean {
    return this.cache !== undefined;
  }

  /**
   * Waits for the value and returns it; later fetches return the cached value without a message.
   * A call that threw is cached too: every fetch rethrows its RemoteException.
   */
  fetch(): Promise<T> {
    if (this.cache) return Promise.resolve(this.cache.value);
    if (this.failure) return Promise.reject(this.failure.error);
    this.inflight ??= this.fetchOnce();
    return this.inflight;
  }

  private async fetchOnce(): Promise<T> {
    if (this.released) throw new Error(`${this} was finalized; it can no longer be fetched`);
    try {
      let value: T;
      try {
        value = (await this.ask('fetch')) as T;
      } catch (err) {
        // The owner answered with the call's error: that is this Future's outcome, kept like a value.
        if (err instanceof RemoteException) {
          this.failure = { error: err };
          this.releaseCached();
        }
        throw err;
      }
      this.cache = { value };
      this.releaseCached();
      return value;
    } finally {
      this.inflight = undefined;
    }
  }

  /** The outcome is held here now; the owner's copy goes once every other holder lets go. */
  private releaseCached(): void {
    if (this.released) return;
    this.released = true;
    untrack(this, this.rrid, 'batched');
  }

  /** Waits until the value exists, without moving it. */
  async wait(): Promise<this> {
    if (this.cache) return this;
    if (this.failure) throw this.failure.error;
    await this.ask('wait');
    return this;
  }

  /** Whether the value exists yet (asks the owner unless it was fetched already). */
  async isReady(): Promise<boolean> {
    if (this.cache) return true;
    if (this.failure) return true;
    return (await this.ask('ready')) as boolean;
  }

  /**
   * Stores the value; a Future can be put only once. As in Julia, the value is then cached here
   * and this reference to the owner's copy is released (other holders keep theirs).
   */
  async put(value: T): Promise<this> {
    if (this.cache || this.failure)
      throw new Error(
        `Future (${this.whence}, ${this.id}) already holds a value; a Future can be put only once`,
      );
    await this.ask('put', value);
    this.cache = { value };
    this.releaseCached();
    return this;
  }

  private async ask(op: 'fetch' | 'wait' | 'ready' | 'put', value?: unknown): Promise<unknown> {
    if (this.where === state.myid) return localOp(this.rrid, op, value);
    return ownerRequest(this.where, op, this.rrid, value);
  }

  toString(): string {
    return `Future(where=${this.where}, whence=${this.whence}, id=${this.id})`;
  }
}

/** Runs a reference operation on a value this process owns; `client` is who asked. */
export async function localOp(rr: RRID, op: string, value: unknown): Promise<unknown> {
  switch (op) {
    case 'put':
      settle(rr, true, value);
      return undefined;
    case 'ready':
      return isSettled(rr);
    case 'wait':
    case 'fetch': {
      const pending = whenSettled(rr);
      if (pending) await pending;
      const out = outcome(rr);
      // The fetcher releases its hold once it has the value (see untrack), not the owner here.
      if (!out.ok) {
        const { pid, captured } = out.value as { pid: number; captured: CapturedError };
        throw new RemoteException(pid, captured);
      }
      return op === 'fetch' ? out.value : undefined;
    }
    default:
      throw new Error(`unknown reference operation '${op}'`);
  }
}

/** Waits for a Future's value and returns it. */
export const fetch = <T>(f: Future<T>): Promise<T> => f.fetch();
/** Waits until a Future holds a value. */
export const wait = <T>(f: Future<T>): Promise<Future<T>> => f.wait();
/** Whether a Future holds a value yet. */
export const isReady = (f: Future): Promise<boolean> => f.isReady();
/** Stores a value into an empty Future. */
export const put = <T>(f: Future<T>, value: T): Promise<Future<T>> => f.put(value);

// A Future crosses the wire as its id (and its value, if already fetched), never as its owner's data.
registerWireType(
  4,
  Future,
  (f: Future) => {
    const c = f.peek();
    if (c) return [f.where, f.whence, f.id, 1, c.value];
    holdFor(f.where, f.rrid, currentEncodeTarget());
    return [f.where, f.whence, f.id, 0];
  },
  ([where, whence, id, has, value]: [number, number, number, number, unknown]) =>
    new Future(where, [whence, id], has ? { value } : undefined),
);
