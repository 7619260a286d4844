/**
 * SharedArray (Julia's SharedArrays): one block of memory, a file in /dev/shm, mapped into several
 * processes of one host. Each process sees the whole array as `.data`; the work is shared out by
 * `localindices`. The process that makes it owns the file and removes it on `close()` (or at exit);
 * a copy sent to another process of the host arrives mapped, not copied.
 */
import { checkDType, ctorOf, type DType, type TypedArrayFor } from '../array/dtype.js';
import { NDArray } from '../array/ndarray.js';
import type { AnyArray } from '../array/protocol.js';
import { checkShape, sizeOf } from '../array/shape.js';
import { myid, procs, workers } from '../cluster/state.js';
import { currentEncodeTarget, registerWireType } from '../cluster/wire/codec.js';
import { ArgumentError, describe } from '../errors.js';
import { remotecallFetch } from '../remote/calls.js';
import { registerBuiltin } from '../remote/ship.js';
import { hostKey } from './host.js';
import { addon, createSegment, openSegment, unlinkSegment } from './segment.js';
import { splitRange } from './split.js';

/** Everything needed to map a SharedArray again, in another process or thread: plain data only. */
export interface SharedArrayDescriptor {
  /** The /dev/shm file name. */
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** The processes the work is shared over, in order (localindices follow it). */
  readonly pids: readonly number[];
  /** The process that made it and removes its file. */
  readonly owner: number;
}

/** Options of {@link SharedArray.create}. */
export interface SharedArrayOptions<D extends DType = DType> {
  /**
   * Runs on every process of `pids` with the array, awaited (Julia's `init`); shipped like a
   * remote call's function, so it may use the darray API by name but no captured variables.
   */
  init?: (S: SharedArray<D>) => unknown;
  /** The processes that map it and share the work (default: every worker on this host, as Julia). */
  pids?: readonly number[];
}

// Set by SharedArray's static block: they reach its private fields.
let unmapLocal: (S: SharedArray) => void;
let noteSent: (S: SharedArray, pid: number) => void;

// The SharedArray object of each segment mapped in this process, so every copy received maps once.
const mapped = new Map<string, WeakRef<SharedArray>>();
// A SharedArray collected without close(): forget its mapping, and the owner removes the file.
const collected = new FinalizationRegistry<{ name: string; own: boolean }>(({ name, own }) => {
  if (mapped.get(name)?.deref() === undefined) mapped.delete(name);
  if (own) unlinkSegment(name);
});

/**
 * An array in memory shared by processes of one host. Make one with {@link SharedArray.create};
 * it implements the array protocol (backend 'shared'), so `broadcast`, `sum`, `mul`, `norm` and
 * `powerMethod` take it, and large products and broadcasts run split over its pids.
 */
export class SharedArray<D extends DType = DType> implements AnyArray {
  /** The backend name the op registry dispatches on. */
  readonly backend = 'shared';
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly size: number;
  readonly pids: readonly number[];
  readonly owner: number;
  /** The /dev/shm file name. */
  readonly name: string;
  /** The elements, row-major, over the shared memory itself (writes are seen by every process). */
  readonly data: TypedArrayFor[D];
  readonly #buffer: ArrayBuffer;
  #closed = false;
  /** Processes this process sent it to, which are told to unmap it on close. */
  readonly #sentTo = new Set<number>();

  /** Internal: use {@link SharedArray.create} or {@link SharedArray.attach}. */
  constructor(desc: SharedArrayDescriptor, buffer: ArrayBuffer, own = false) {
    this.name = desc.name;
    this.dtype = desc.dtype as D;
    this.shape = Object.freeze([...desc.shape]);
    this.size = sizeOf(desc.shape);
    this.pids = Object.freeze([...desc.pids]);
    this.owner = desc.owner;
    this.#buffer = buffer;
    this.data = new (ctorOf(desc.dtype))(buffer, 0, this.size) as TypedArrayFor[D];
    mapped.set(desc.name, new WeakRef(this as SharedArray));
    collected.register(this, { name: desc.name, own }, this);
  }

  /**
   * Makes a zero-filled SharedArray of `dtype` and shape `dims` (Julia's
   * `SharedArray{T}(dims; init, pids)`), mapped into this process and every process of `pids`, and
   * runs `init(S)` on each of them.
   *
   * @example
   * const S = await SharedArray.create('int32', [3, 4], {
   *   init: (S) => { const [[lo, hi]] = localindices(S); S.data.fill(myid(), lo, hi); },
   * });
   */
  static async create<D extends DType>(
    dtype: D,
    dims: number | readonly number[],
    options: SharedArrayOptions<D> = {},
  ): Promise<SharedArray<D>> {
    const dt = checkDType(dtype, 'SharedArray.create: dtype') as D;
    const shape = checkShape(dims, 'SharedArray.create: dims');
    if (options === null || typeof options !== 'object')
      throw new ArgumentError(`SharedArray.create: options must be an object, got ${describe(options)}`);
    const { init } = options;
    if (init !== undefined && typeof init !== 'function')
      throw new ArgumentError(`SharedArray.create: init must be a function (S) => …, got ${describe(init)}`);
    const pids = await resolvePids(options.pids);
    const S = SharedArray.#make(dt, shape, pids);
    try {
      // Mapping on each pid happens as S arrives there; init runs there if given.
      await Promise.all(
        pids.map((p) => remotecallFetch(initOn, p, S as SharedArray, init as Init | undefined)),
      );
    } catch (err) {
      await S.close();
      throw err;
    }
    return S;
  }

  /** A new segment over `pids`, owned by this process; no checks, nothing sent (used by kernels too). */
  static #make<D extends DType>(dtype: D, shape: readonly number[], pids: readonly number[]): SharedArray<D> {
    const bytes = sizeOf(shape) * ctorOf(dtype).BYTES_PER_ELEMENT;
    const { name, buffer } = createSegment(bytes);
    return new SharedArray<D>({ name, dtype, shape, pids, owner: myid() }, buffer, true);
  }

  /** A zero-filled SharedArray over the same pids as `like` (a kernel's result); nothing is sent. */
  static similar<D extends DType>(like: SharedArray, dtype: D, shape: readonly number[]): SharedArray<D> {
    return SharedArray.#make(dtype, shape, like.pids);
  }

  /**
   * Maps the SharedArray a descriptor names (from {@link SharedArray.descriptor}) into this process,
   * or a worker thread: the same object if it is mapped here already. Throws if it was closed.
   */
  static attach(desc: SharedArrayDescriptor): SharedArray {
    const hit = mapped.get(desc.name)?.deref();
    if (hit && !hit.#closed) return hit;
    let buffer: ArrayBuffer;
    try {
      buffer = openSegment(desc.name, sizeOf(desc.shape) * ctorOf(desc.dtype).BYTES_PER_ELEMENT);
    } catch (err) {
      throw new Error(
        `SharedArray ${desc.name} cannot be mapped on process ${myid()}: ${(err as Error).message}. ` +
          'Either it was closed, or this process is on another host than its owner (process ' +
          `${desc.owner}); a SharedArray lives in one host's /dev/shm`,
      );
    }
    return new SharedArray(desc, buffer);
  }

  /** The plain descriptor that {@link SharedArray.attach} maps again (e.g. in a worker thread). */
  descriptor(): SharedArrayDescriptor {
    return {
      name: this.name,
      dtype: this.dtype,
      shape: [...this.shape],
      pids: [...this.pids],
      owner: this.owner,
    };
  }

  /** Whether close() was called (here or, for a mapped copy, by the owner). */
  get isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Frees the array on every process that mapped it and removes its /dev/shm file (Julia's
   * `finalize`). Its `data` reads as empty afterwards. Resolves when every process has unmapped it.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    const others = new Set([...this.pids, this.owner, ...this.#sentTo]);
    others.delete(myid());
    unmapLocal(this);
    try {
      unlinkSegment(this.name);
    } catch {
      // Already removed (by the owner, or a sweep).
    }
    const live = new Set(procs());
    await Promise.allSettled(
      [...others].filter((p) => live.has(p)).map((p) => remotecallFetch(unmapOn, p, this.name)),
    );
  }

  /** Frees it without waiting (the array protocol's dispose, used on temporaries). */
  dispose(): void {
    this.close().catch(() => {});
  }

  /** Lets `using S = await SharedArray.create(…)` free it at the end of the block. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  toString(): string {
    return `SharedArray([${this.shape.join('×')}] ${this.dtype}, pids [${this.pids.join(', ')}]${this.#closed ? ', closed' : ''})`;
  }

  static {
    unmapLocal = (S) => {
      if (S.#closed) return;
      S.#closed = true;
      collected.unregister(S);
      if (mapped.get(S.name)?.deref() === S) mapped.delete(S.name);
      addon().detach(S.#buffer);
    };
    noteSent = (S, pid) => {
      if (pid > 0 && pid !== myid()) S.#sentTo.add(pid);
    };
  }
}

type Init = (S: SharedArray) => unknown;

// Runs on each pid at create: S is mapped by arriving; then init, if any.
const initOn = registerBuiltin('shared.init', async (_S: SharedArray, init: Init | undefined) => {
  if (init) await init(_S);
});

// Runs on each process that mapped a SharedArray when it is closed.
const unmapOn = registerBuiltin('shared.unmap', (name: string) => {
  const S = mapped.get(name)?.deref();
  if (S) unmapLocal(S);
});

const hostKeyOn = registerBuiltin('shared.hostKey', () => hostKey());

/** Checks `pids` (or finds the default) and that they all share this process's /dev/shm. */
async function resolvePids(pids: readonly number[] | undefined): Promise<number[]> {
  const me = myid();
  const here = hostKey();
  const keys = async (ps: readonly number[]) =>
    Promise.all(ps.map((p) => (p === me ? here : remotecallFetch(hostKeyOn, p))));
  if (pids === undefined) {
    const ws = workers();
    const ks = await keys(ws);
    const local = ws.filter((_, i) => ks[i] === here);
    return local.length > 0 ? local : [me];
  }
  if (!Array.isArray(pids) || pids.length === 0 || !pids.every((p) => Number.isInteger(p)))
    throw new ArgumentError(
      `SharedArray.create: pids must be a non-empty array of process ids, got ${describe(pids)}`,
    );
  const all = procs();
  const unknown = pids.filter((p) => !all.includes(p));
  if (unknown.length > 0)
    throw new ArgumentError(
      `SharedArray.create: pids [${unknown.join(', ')}] are not processes of the cluster; ` +
        `the processes are [${all.join(', ')}] (add workers with addprocs first)`,
    );
  const unique = [...new Set(pids)];
  const ks = await keys(unique);
  const away = unique.filter((_, i) => ks[i] !== here);
  if (away.length > 0)
    throw new ArgumentError(
      `SharedArray.create: processes [${away.join(', ')}] are on another host than process ${me} ` +
        `(${here.split('|')[0]}); a SharedArray is shared through one host's /dev/shm, so all its ` +
        'pids must be on the host that makes it. Use a DArray to spread an array over hosts',
    );
  return unique;
}

/** Whether a value is a SharedArray. */
export function isSharedArray(x: unknown): x is SharedArray {
  return x instanceof SharedArray;
}

function checkShared(op: string, S: unknown): SharedArray {
  if (!(S instanceof SharedArray))
    throw new ArgumentError(`${op}: expected a SharedArray, got ${describe(S)}`);
  if (S.isClosed) throw new ArgumentError(`${op}: ${S} was closed; its memory is gone`);
  return S;
}

/** The 1-based position of this process in `S.pids`, or 0 if it takes no part (Julia's `indexpids`). */
export function indexpids(S: SharedArray): number {
  return checkShared('indexpids', S).pids.indexOf(myid()) + 1;
}

/**
 * This process's share of the linear indices of `S`, as `[[lo, hi]]` (half-open): the pids take
 * consecutive equal parts, the last one the remainder. Throws on a process not among `S.pids`.
 */
export function localindices(S: SharedArray): [[number, number]] {
  const i = indexpids(S) - 1;
  if (i < 0)
    throw new ArgumentError(
      `localindices: process ${myid()} is not one of the pids of ${S}, so it has no share; ` +
        'check indexpids(S) > 0 first, or name it in the pids of SharedArray.create',
    );
  return [splitRange(S.size, S.pids.length, i)];
}

/** An NDArray over the same memory as `S` (Julia's `sdata`): no copy; writes go to the shared memory. */
export function sdata<D extends DType>(S: SharedArray<D>): NDArray<D> {
  checkShared('sdata', S);
  return new NDArray(S.data, S.shape);
}

// A SharedArray crosses the wire as its descriptor and is mapped on arrival (same host only).
registerWireType(
  25,
  SharedArray,
  (S: SharedArray) => {
    if (S.isClosed) throw new ArgumentError(`${S} was closed and cannot be sent`);
    noteSent(S, currentEncodeTarget());
    return [S.name, S.dtype, S.shape, S.pids, S.owner];
  },
  ([name, dtype, shape, pids, owner]: [string, DType, number[], number[], number]) =>
    SharedArray.attach({ name, dtype, shape, pids, owner }),
);
