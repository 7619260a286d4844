/**
 * Worker pools (Julia's WorkerPool, CachingPool, default_worker_pool, remote): a set of workers
 * handed out one call at a time, so that each worker runs one pooled call at a time.
 */
import { onProcessGone } from '../cluster/mesh.js';
import { state, workers } from '../cluster/state.js';
import { ArgumentError, describe } from '../errors.js';
import { remotecallFetch, remotecallWait, remoteDo } from '../remote/calls.js';
import { ProcessExitedException } from '../remote/exceptions.js';
import { Future } from '../remote/future.js';
import { registerBuiltin } from '../remote/ship.js';
import { settle } from '../remote/store.js';

// biome-ignore lint/suspicious/noExplicitAny: pooled functions take any arguments; types flow through generics.
type Fn = (...args: any[]) => unknown;
type Result<F extends Fn> = Awaited<ReturnType<F>>;

const pools = new Set<WeakRef<WorkerPool>>();
onProcessGone((pid) => {
  for (const ref of pools) {
    const pool = ref.deref();
    if (pool) pool.drop(pid);
    else pools.delete(ref);
  }
});

/**
 * A pool of workers. `take()` waits for a free worker, `put()` returns it; the remote-call verbs
 * run one call on a free worker.
 *
 * @example const pool = new WorkerPool([2, 3]); await pool.remotecallFetch((x) => x + 1, 41) // 42
 */
export class WorkerPool {
  protected readonly members = new Set<number>();
  private readonly free: number[] = [];
  private readonly waiting: { resolve: (pid: number) => void; reject: (e: Error) => void }[] = [];
  /** Callers of wait(): woken when a worker becomes free, without taking it. */
  private readonly watchers: { resolve: () => void; reject: (e: Error) => void }[] = [];

  constructor(pids: Iterable<number> = []) {
    if (pids === null || typeof (pids as Iterable<number>)[Symbol.iterator] !== 'function') {
      throw new ArgumentError(`WorkerPool: expected an array of worker ids, got ${describe(pids)}`);
    }
    for (const p of pids) this.push(p);
    pools.add(new WeakRef(this));
  }

  /** Adds a worker to the pool. */
  push(pid: number): this {
    if (typeof pid !== 'number' || !Number.isInteger(pid) || pid < 1) {
      throw new ArgumentError(`WorkerPool: expected a worker id (positive integer), got ${describe(pid)}`);
    }
    if (state.gone.has(pid)) throw new ProcessExitedException(pid);
    if (this.members.has(pid)) return this;
    this.members.add(pid);
    this.put(pid);
    return this;
  }

  /** The workers in the pool, busy or free. */
  get workers(): number[] {
    return [...this.members].sort((a, b) => a - b);
  }

  get length(): number {
    return this.members.size;
  }

  /** Whether a worker is free right now, so that take() would not wait (Julia's `isready(pool)`). */
  isReady(): boolean {
    this.refresh();
    return this.free.length > 0;
  }

  /**
   * Resolves once a worker is free, without taking it (Julia's `wait(pool)`); fails if the pool
   * has no workers left.
   */
  wait(): Promise<void> {
    this.refresh();
    if (this.free.length > 0) return Promise.resolve();
    if (this.members.size === 0) return Promise.reject(this.emptyError());
    return new Promise((resolve, reject) => this.watchers.push({ resolve, reject }));
  }

  /** Waits for a free worker and reserves it; give it back with put(). */
  take(): Promise<number> {
    this.refresh();
    const pid = this.free.shift();
    if (pid !== undefined) return Promise.resolve(pid);
    if (this.members.size === 0) return Promise.reject(this.emptyError());
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** Returns a worker taken with take(). */
  put(pid: number): void {
    if (!this.members.has(pid)) return;
    const w = this.waiting.shift();
    if (w) w.resolve(pid);
    else {
      this.free.push(pid);
      for (const watcher of this.watchers.splice(0)) watcher.resolve();
    }
  }

  /** @internal Forgets a worker that left the cluster; callers waiting on an empty pool fail. */
  drop(pid: number): void {
    if (!this.members.delete(pid)) return;
    const i = this.free.indexOf(pid);
    if (i >= 0) this.free.splice(i, 1);
    this.refresh();
    if (this.members.size === 0) {
      for (const w of [...this.waiting.splice(0), ...this.watchers.splice(0)]) w.reject(this.emptyError());
    }
  }

  /** Hook for pools whose membership follows the cluster (the default pool). */
  protected refresh(): void {}

  protected emptyError(): Error {
    return new ArgumentError(
      'WorkerPool: no live workers left in the pool; add some with push() or addprocs()',
    );
  }

  /** Runs `work` on a free worker and returns the worker afterwards, even on failure. */
  async withWorker<R>(work: (pid: number) => Promise<R>): Promise<R> {
    const pid = await this.take();
    try {
      return await work(pid);
    } finally {
      this.put(pid);
    }
  }

  /** What to send for a call of `fn(...args)` on `pid`: by default exactly that. */
  protected async target(fn: Fn, _pid: number, args: unknown[]): Promise<[Fn, unknown[]]> {
    return [fn, args];
  }

  remotecallFetch<F extends Fn>(fn: F, ...args: Parameters<F>): Promise<Result<F>> {
    const run = this.withWorker(async (pid): Promise<unknown> => {
      const [f, a] = await this.target(fn, pid, args);
      return remotecallFetch(f, pid, ...a);
    });
    return run as Promise<Result<F>>;
  }

  /** A Future owned here, filled when the pooled call finishes. */
  remotecall<F extends Fn>(fn: F, ...args: Parameters<F>): Future<Result<F>> {
    const f = new Future<Result<F>>(state.myid);
    this.remotecallFetch(fn, ...args).then(
      (v) => settle(f.rrid, true, v),
      (err: Error & { pid?: number; captured?: unknown }) =>
        settle(f.rrid, false, {
          pid: err.pid ?? state.myid,
          captured: err.captured ?? { name: err.name, message: err.message, stack: err.stack ?? '' },
        }),
    );
    return f;
  }

  remotecallWait<F extends Fn>(fn: F, ...args: Parameters<F>): Promise<Future<Result<F>>> {
    return this.withWorker(async (pid) => {
      const [f, a] = await this.target(fn, pid, args);
      return (await remotecallWait(f, pid, ...a)) as Future<Result<F>>;
    });
  }

  remoteDo<F extends Fn>(fn: F, ...args: Parameters<F>): void {
    void this.withWorker(async (pid) => {
      const [f, a] = await this.target(fn, pid, args);
      remoteDo(f, pid, ...a);
    }).catch(() => {});
  }
}

/** The pool of all workers, following addprocs/rmprocs; the master alone when there are none. */
class DefaultPool extends WorkerPool {
  protected override refresh(): void {
    const ws = workers();
    for (const p of ws) if (!this.members.has(p) && !state.gone.has(p)) this.push(p);
    // Once real workers exist the master no longer takes pooled work.
    if (this.members.has(1) && ws[0] !== 1) this.drop(1);
  }
}

let defaultPool: WorkerPool | undefined;
/**
 * The pool that pmap and remote() use by default: every worker (Julia's default_worker_pool).
 * Given a pool, makes it the default on this process instead (Julia's `default_worker_pool!`)
 * and returns it; keep the previous one to put it back.
 *
 * @example const all = defaultWorkerPool(); defaultWorkerPool(new WorkerPool([2])); … defaultWorkerPool(all)
 */
export function defaultWorkerPool(pool?: WorkerPool): WorkerPool {
  if (pool !== undefined) {
    if (!(pool instanceof WorkerPool)) {
      throw new ArgumentError(
        `defaultWorkerPool: expected a WorkerPool (or CachingPool) to make the default, got ${describe(pool)}; e.g. defaultWorkerPool(new WorkerPool([2, 3]))`,
      );
    }
    defaultPool = pool;
  }
  defaultPool ??= new DefaultPool(workers());
  return defaultPool;
}

const cached = new Map<string, Fn>();
const cacheHere = registerBuiltin('cacheFunction', (key: string, fn: Fn): void => {
  cached.set(key, fn);
});
const callCached = registerBuiltin('callCached', (key: string, args: unknown[]): unknown => {
  const fn = cached.get(key);
  if (!fn)
    throw new ReferenceError(
      `CachingPool: function ${key} is not cached on this process (was the pool cleared?)`,
    );
  return fn(...args);
});
const uncache = registerBuiltin('uncacheFunctions', (keys: string[]): void => {
  for (const k of keys) cached.delete(k);
});

let poolSerial = 0;

/**
 * A WorkerPool that sends each function to each worker once and then calls it by a short key.
 * `clear()` drops the cached functions from the workers.
 */
export class CachingPool extends WorkerPool {
  private readonly serial = ++poolSerial;
  private readonly keys = new WeakMap<Fn, string>();
  private readonly sent = new Map<number, Set<string>>();
  private nextKey = 0;

  protected override async target(fn: Fn, pid: number, args: unknown[]): Promise<[Fn, unknown[]]> {
    let key = this.keys.get(fn);
    if (!key) {
      key = `${state.myid}.${this.serial}.${this.nextKey++}`;
      this.keys.set(fn, key);
    }
    let set = this.sent.get(pid);
    if (!set) this.sent.set(pid, (set = new Set()));
    if (!set.has(key)) {
      await remotecallFetch(cacheHere, pid, key, fn);
      set.add(key);
    }
    // The call ships only the builtin's name and the key; the worker looks the function up.
    return [callCached, [key, args]];
  }

  /** Removes this pool's cached functions from every worker. */
  async clear(): Promise<void> {
    const jobs = [...this.sent]
      .filter(([pid]) => !state.gone.has(pid))
      .map(([pid, keys]) => remotecallFetch(uncache, pid, [...keys]));
    this.sent.clear();
    await Promise.all(jobs);
  }
}

/**
 * Wraps `fn` so that each call runs on a free worker of `pool`, by default the default pool at
 * the time of the call (Julia's `remote(f)`).
 *
 * @example const square = remote((x: number) => x * x); await square(7) // 49
 */
export function remote<F extends Fn>(
  fn: F,
  pool?: WorkerPool,
): (...args: Parameters<F>) => Promise<Result<F>> {
  if (typeof fn !== 'function') throw new ArgumentError(`remote: expected a function, got ${describe(fn)}`);
  if (pool !== undefined && !(pool instanceof WorkerPool))
    throw new ArgumentError(`remote: pool must be a WorkerPool, got ${describe(pool)}`);
  // Without a pool, each call uses the default pool of that moment (it may be replaced meanwhile).
  return (...args) => (pool ?? defaultWorkerPool()).remotecallFetch(fn, ...args);
}
