/**
 * WorkerPools across processes (as Julia serializes a WorkerPool as a reference to its owner's
 * pool): a pool sent in a remote call arrives as a PoolRef, whose take, put, push and wait run
 * on the owner, so every process shares the owner's one set of free workers.
 *
 * The owner keeps a pool it has sent alive while other processes hold references to it (each
 * received copy reports its collection), and gives back the workers a process had taken if that
 * process leaves.
 */
import { onProcessGone } from '../cluster/mesh.js';
import { state } from '../cluster/state.js';
import { currentEncodeTarget, registerWireType } from '../cluster/wire/codec.js';
import { ArgumentError } from '../errors.js';
import { remotecallFetch, remoteDo } from '../remote/calls.js';
import { registerBuiltin } from '../remote/ship.js';
import { WorkerPool } from './pool.js';

/** Ids of the pools this process has sent, and the pools by id while they exist. */
const idOf = new WeakMap<WorkerPool, number>();
const byId = new Map<number, WeakRef<WorkerPool>>();
let nextId = 1;

/** Pools held for other processes: how many received copies each process still has. */
const held = new Map<number, { pool: WorkerPool; copies: Map<number, number> }>();
/** Workers taken through references, per borrowing process and pool id, to give back if it leaves. */
const lent = new Map<number, Map<number, number[]>>();

function poolById(id: number): WorkerPool {
  const pool = held.get(id)?.pool ?? byId.get(id)?.deref();
  if (!pool) {
    throw new ReferenceError(
      `WorkerPool ${id} of process ${state.myid} no longer exists: it was collected once no process held it`,
    );
  }
  return pool;
}

function idFor(pool: WorkerPool): number {
  let id = idOf.get(pool);
  if (id === undefined) {
    id = nextId++;
    idOf.set(pool, id);
    byId.set(id, new WeakRef(pool));
  }
  return id;
}

/** Counts one more copy of pool `id` held by `client`. */
function addCopy(id: number, client: number): void {
  const pool = poolById(id);
  let entry = held.get(id);
  if (!entry) held.set(id, (entry = { pool, copies: new Map() }));
  entry.copies.set(client, (entry.copies.get(client) ?? 0) + 1);
}

function removeCopies(id: number, client: number, n: number): void {
  const entry = held.get(id);
  if (!entry) return;
  const left = (entry.copies.get(client) ?? 0) - n;
  if (left > 0) entry.copies.set(client, left);
  else entry.copies.delete(client);
  if (entry.copies.size === 0) held.delete(id);
}

function recordLoan(from: number, id: number, pid: number, on: boolean): void {
  let byPool = lent.get(from);
  if (!byPool) lent.set(from, (byPool = new Map()));
  const list = byPool.get(id) ?? [];
  if (on) list.push(pid);
  else {
    const i = list.indexOf(pid);
    if (i >= 0) list.splice(i, 1);
  }
  if (list.length > 0) byPool.set(id, list);
  else byPool.delete(id);
}

onProcessGone((pid) => {
  for (const id of [...held.keys()]) removeCopies(id, pid, Number.POSITIVE_INFINITY);
  const byPool = lent.get(pid);
  lent.delete(pid);
  for (const [id, pids] of byPool ?? []) {
    const pool = byId.get(id)?.deref();
    for (const w of pids) pool?.put(w);
  }
});

/** What the owner reports with each answer: the pool's workers, for the reference's `workers`. */
type Snapshot = number[];

const takeHere = registerBuiltin(
  'poolTake',
  async (id: number, from: number): Promise<[number, Snapshot]> => {
    const pool = poolById(id);
    const pid = await pool.take();
    // The borrower left while it waited: the worker goes straight back.
    if (state.gone.has(from)) {
      pool.put(pid);
      throw new Error(`process ${from} left while waiting for a worker of pool ${id}`);
    }
    recordLoan(from, id, pid, true);
    return [pid, pool.workers];
  },
);

const putHere = registerBuiltin('poolPut', (id: number, from: number, pid: number): void => {
  recordLoan(from, id, pid, false);
  poolById(id).put(pid);
});

const pushHere = registerBuiltin('poolPush', (id: number, pid: number): Snapshot => {
  const pool = poolById(id);
  pool.push(pid);
  return pool.workers;
});

const waitHere = registerBuiltin('poolWait', async (id: number): Promise<Snapshot> => {
  const pool = poolById(id);
  await pool.wait();
  return pool.workers;
});

const holdHere = registerBuiltin('poolHold', (id: number, client: number): void => addCopy(id, client));
const releaseHere = registerBuiltin('poolRelease', (id: number, from: number): void =>
  removeCopies(id, from, 1),
);

/** Tells the owner when a received copy is collected, so it can stop keeping the pool alive. */
const collected = new FinalizationRegistry<{ owner: number; id: number }>(({ owner, id }) => {
  if (!state.gone.has(owner)) remoteDo(releaseHere, owner, id, state.myid);
});

/**
 * A WorkerPool received from another process: every operation runs on the owner's pool.
 * `workers` and `length` are as of the last answer from the owner (they are kept current by
 * every take, push and wait). A CachingPool arrives as such a reference too: it shares the
 * owner's workers, but calls made from here send their function each time.
 */
export class PoolRef extends WorkerPool {
  private known: number[];

  /** @internal Made when a pool arrives from its owner. */
  constructor(
    readonly owner: number,
    readonly poolId: number,
    workers: number[],
  ) {
    super([]);
    this.known = [...workers];
    collected.register(this, { owner, id: poolId });
  }

  override get workers(): number[] {
    return [...this.known].sort((a, b) => a - b);
  }

  override get length(): number {
    return this.known.length;
  }

  override async take(): Promise<number> {
    const [pid, ws] = await remotecallFetch(takeHere, this.owner, this.poolId, state.myid);
    this.known = ws;
    return pid;
  }

  override put(pid: number): void {
    remoteDo(putHere, this.owner, this.poolId, state.myid, pid);
  }

  override push(pid: number): this {
    // Sent at once; push() stays chainable as on a local pool, and the snapshot follows.
    void remotecallFetch(pushHere, this.owner, this.poolId, pid).then(
      (ws) => {
        this.known = ws;
      },
      () => {},
    );
    return this;
  }

  /** Only the owner knows at once; from here, `await pool.wait()` waits until a worker is free. */
  override isReady(): boolean {
    throw new ArgumentError(
      `isReady(): ${this} lives on process ${this.owner}, which alone can answer at once; ` +
        'await pool.wait() to wait until a worker is free, or ask the owner with remotecallFetch((p) => p.isReady(), owner, pool)',
    );
  }

  override async wait(): Promise<void> {
    this.known = await remotecallFetch(waitHere, this.owner, this.poolId);
  }

  /** @internal The owner tracks its own workers leaving. */
  override drop(_pid: number): void {}

  override toString(): string {
    return `WorkerPool(${this.poolId} on process ${this.owner})`;
  }
}

// A pool crosses the wire as [owner, id, workers]; on its owner it turns back into the pool itself.
registerWireType(
  40,
  WorkerPool,
  (pool: WorkerPool) => {
    const target = currentEncodeTarget();
    if (pool instanceof PoolRef) {
      // The owner must count the copy the target will hold; told after this message is encoded.
      if (target > 0 && target !== pool.owner) {
        const { owner, poolId } = pool;
        queueMicrotask(() => remoteDo(holdHere, owner, poolId, target));
      }
      return [pool.owner, pool.poolId, pool.workers];
    }
    const id = idFor(pool);
    if (target > 0 && target !== state.myid) addCopy(id, target);
    return [state.myid, id, pool.workers];
  },
  ([owner, id, workers]: [number, number, number[]]) => {
    if (owner === state.myid) {
      const local = byId.get(id)?.deref();
      if (local) return local;
    }
    return new PoolRef(owner, id, workers);
  },
);
