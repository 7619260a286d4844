/**
 * RemoteChannel: a reference to a channel-like object that lives on one process (its owner).
 * Every verb runs on the owner; a RemoteChannel sent elsewhere carries only its id, so every copy
 * refers to the same store. Any object with the channel verbs can back it (see examples/).
 */

import { type Channel, ChannelClosedError } from '../channel.js';
import { connectionTo } from '../cluster/mesh.js';
import { state } from '../cluster/state.js';
import { currentEncodeTarget, decodeBody, encodeBody, registerWireType } from '../cluster/wire/codec.js';
import { ArgumentError, describe } from '../errors.js';
import { RemoteException } from './exceptions.js';
import { Future, newRRID } from './future.js';
import { holdFor, track, untrack } from './gc.js';
import { ownerRequest } from './ref-client.js';
import { analyse, asShipped } from './ship.js';
import { outcome, type RRID, settle, whenSettled } from './store.js';

/** The verbs a RemoteChannel forwards to its backing object. */
export const CHANNEL_VERBS = ['put', 'take', 'fetch', 'isReady', 'wait', 'close'] as const;
/** One of the verbs in CHANNEL_VERBS. */
export type ChannelVerb = (typeof CHANNEL_VERBS)[number];

/** What a backing store must provide: the channel verbs, each taking any arguments. */
export type ChannelLike = { [V in ChannelVerb]?: (...args: never[]) => unknown };

/**
 * A reference to a Channel (or any object with the channel verbs) living on process `where`
 * (Julia's RemoteChannel). Every copy, on any process, talks to the same store on its owner, so it
 * is the way to pass a stream of values between processes; it is freed once no process holds it.
 * The verbs (`put`, `take`, `fetch`, `isReady`, `wait`, `close`) run on the owner with the given
 * arguments; `for await` takes until the channel is closed and empty.
 *
 * @example
 * const jobs = new RemoteChannel(() => new Channel<number>(32)); // owned here
 * const results = new RemoteChannel(() => new Channel<number>(32));
 * const square = async (j: RemoteChannel<number>, r: RemoteChannel<number>) => { for await (const x of j) await r.put(x * x) };
 * const done = remotecall(square, 2, jobs, results); // process 2 works through the jobs
 * for (const x of [1, 2, 3]) await jobs.put(x);
 * await jobs.close(); await done.wait();
 * console.log(await results.take()); // 1
 */
export class RemoteChannel<T = unknown> implements AsyncIterable<T> {
  /** The process where the backing channel lives. */
  readonly where: number;
  /** The process that created this reference; with `id`, the reference's cluster-wide identity. */
  readonly whence: number;
  /** The reference's number, unique on `whence`. */
  readonly id: number;
  private finalized = false;

  /**
   * Creates the backing object on `pid` (default: this process) by calling `factory(...args)` there.
   *
   * @example const jobs = new RemoteChannel(() => new Channel<number>(32), 1)
   */
  constructor(
    factory: (...args: never[]) => Channel<T> | ChannelLike,
    pid: number = state.myid,
    ...args: unknown[]
  ) {
    if (typeof factory !== 'function') {
      throw new ArgumentError(
        `RemoteChannel: expected a function that makes the channel, e.g. () => new Channel(10), got ${describe(factory)}`,
      );
    }
    const rr = newRRID();
    this.where = pid;
    this.whence = rr[0];
    this.id = rr[1];
    if (pid === state.myid) {
      // The factory sees the same scope here as on a worker.
      settle(rr, true, makeStore(asShipped(factory), args));
    } else {
      analyse(factory, 'the channel factory passed to RemoteChannel');
      // Fails at once for a dead or unknown pid; later verbs queue behind the creation on one connection.
      const c = connectionTo(pid);
      const create = (conn: Awaited<typeof c>) =>
        conn.request({ k: 'ref', op: 'mkch', rr: [rr[0], rr[1]] }, [factory, args]);
      const made = c instanceof Promise ? c.then(create) : create(c);
      made.catch(() => {});
      this.created = made.then(() => undefined);
    }
    track(this, pid, rr);
  }

  private created: Promise<void> | undefined;

  /** @internal Builds a proxy for an existing remote channel (deserialization). */
  static fromId<T>(where: number, rr: RRID): RemoteChannel<T> {
    const rc = Object.create(RemoteChannel.prototype) as RemoteChannel<T>;
    Object.assign(rc, { where, whence: rr[0], id: rr[1], finalized: false, created: undefined });
    track(rc, where, rr);
    return rc;
  }

  /** The reference id: [whence, id]. */
  get rrid(): RRID {
    return [this.whence, this.id];
  }

  private async call(verb: ChannelVerb | 'isOpen', args: unknown[]): Promise<unknown> {
    if (this.finalized) {
      throw new ArgumentError(
        `${this} was finalized; it can no longer ${verb}. Keep the RemoteChannel alive while in use`,
      );
    }
    try {
      if (this.where === state.myid) {
        // A put elsewhere sends a copy; here too the value is copied now, so that changing it
        // after put returns (an unbuffered put returns once a taker has it) cannot reach the taker.
        const own = verb === 'put' ? [copyValue(args[0], `${this}.put`), ...args.slice(1)] : args;
        return await channelOp(this.rrid, verb, own);
      }
      if (this.created) await this.created;
      return await ownerRequest(this.where, 'ch', this.rrid, args, verb);
    } catch (err) {
      // A closed channel reads the same locally and remotely, so `for await` and callers can test for it.
      if (err instanceof RemoteException && err.captured.name === 'ChannelClosedError') {
        throw new ChannelClosedError(`${verb} on ${this}`, err);
      }
      throw err;
    }
  }

  /** Puts a value on the owner's channel, waiting while it is full. */
  put(...args: [T, ...unknown[]]): Promise<void> {
    return this.call('put', args) as Promise<void>;
  }
  /** Removes and returns the next value, waiting for one; throws ChannelClosedError once closed and empty. */
  take(...args: unknown[]): Promise<T> {
    return this.call('take', args) as Promise<T>;
  }
  /** Returns the next value without removing it, waiting for one. */
  fetch(...args: unknown[]): Promise<T> {
    return this.call('fetch', args) as Promise<T>;
  }
  /** Whether a value is available now. */
  isReady(...args: unknown[]): Promise<boolean> {
    return this.call('isReady', args) as Promise<boolean>;
  }
  /** Waits until a value is available, without taking it. */
  wait(...args: unknown[]): Promise<void> {
    return this.call('wait', args) as Promise<void>;
  }
  /** Closes the owner's channel: no more puts; takes drain what is left. */
  close(...args: unknown[]): Promise<void> {
    return this.call('close', args) as Promise<void>;
  }
  /** Whether the channel is still open (Julia's `isopen`), asked of its owner. */
  isOpen(): Promise<boolean> {
    return this.call('isOpen', []) as Promise<boolean>;
  }

  /** Releases this reference now; the owner frees the channel once no process holds it. */
  finalize(): void {
    if (this.finalized) return;
    this.finalized = true;
    untrack(this, this.rrid, 'now');
  }

  /** Takes values until the channel is closed and empty. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    while (true) {
      try {
        yield await this.take();
      } catch (err) {
        if (err instanceof ChannelClosedError) return;
        throw err;
      }
    }
  }

  toString(): string {
    return `RemoteChannel(where=${this.where}, whence=${this.whence}, id=${this.id})`;
  }
}

function makeStore(factory: (...args: never[]) => unknown, args: unknown[]): ChannelLike {
  const store = factory(...(args as never[])) as ChannelLike;
  if (!store || typeof store !== 'object' || !CHANNEL_VERBS.some((v) => typeof store[v] === 'function')) {
    throw new ArgumentError(
      `RemoteChannel: the factory must return an object with channel verbs (${CHANNEL_VERBS.join(', ')}), got ${describe(store)}`,
    );
  }
  return store;
}

/** A copy of `value` as another process would receive it (TypedArrays get their own bytes). */
function copyValue(value: unknown, what: string): unknown {
  let body: ReturnType<typeof encodeBody>;
  try {
    body = encodeBody(value, 0);
  } catch (err) {
    throw new ArgumentError(
      `${what}: the value (${describe(value)}) cannot be copied into the channel: ${(err as Error).message}. ` +
        'Put plain data: numbers, strings, arrays, TypedArrays, plain objects, Maps, Sets or Futures',
    );
  }
  const bufs = body.bufs.map((v) => (Buffer.isBuffer(v) ? Buffer.from(v) : (v as Uint8Array).slice()));
  return decodeBody(body.bytes, bufs);
}

/** Runs a channel verb on a backing object this process owns. */
export async function channelOp(rr: RRID, verb: string, args: unknown[]): Promise<unknown> {
  if (!(CHANNEL_VERBS as readonly string[]).includes(verb) && verb !== 'isOpen')
    throw new ArgumentError(`unknown channel verb '${verb}'`);
  const pending = whenSettled(rr);
  if (pending) await pending;
  const { value } = outcome(rr);
  if (verb === 'isOpen') return isOpenOf(value);
  const fn = (value as ChannelLike)[verb as ChannelVerb];
  if (typeof fn !== 'function') {
    throw new ArgumentError(`the object behind this RemoteChannel has no '${verb}' method`);
  }
  return (fn as (...a: unknown[]) => unknown).apply(value, args);
}

/** `isOpen` of a backing object: a getter (as on Channel) or a method. */
function isOpenOf(store: unknown): boolean {
  const v = (store as { isOpen?: unknown }).isOpen;
  const open = typeof v === 'function' ? (v as () => unknown).call(store) : v;
  if (typeof open !== 'boolean') {
    throw new ArgumentError(
      `the object behind this RemoteChannel has no isOpen (a boolean property or method), got ${describe(open)}`,
    );
  }
  return open;
}

/** Creates a channel's backing object on this process for a remote creator. */
export function makeChannelHere(rr: RRID, factory: (...args: never[]) => ChannelLike, args: unknown[]): void {
  settle(rr, true, makeStore(factory, args));
}

/**
 * Removes and returns the oldest value of a Channel or RemoteChannel, waiting for one if needed
 * (Julia's `take!`).
 *
 * @example await put(rc, 1); await take(rc) // 1
 */
export function take<T>(ch: Channel<T> | RemoteChannel<T>): Promise<T> {
  if (typeof (ch as { take?: unknown } | null)?.take !== 'function') {
    throw new ArgumentError(
      `take: expected a Channel or a RemoteChannel, got ${describe(ch)}` +
        (ch instanceof Future ? '; a Future is read with fetch(f)' : ''),
    );
  }
  return ch.take();
}

registerWireType(
  5,
  RemoteChannel,
  (rc: RemoteChannel) => {
    holdFor(rc.where, rc.rrid, currentEncodeTarget());
    return [rc.where, rc.whence, rc.id];
  },
  ([where, whence, id]: [number, number, number]) => RemoteChannel.fromId(where, [whence, id]),
);
