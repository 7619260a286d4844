/**
 * Distributed.jl test/distributed_exec.jl, ported: pmap, worker pools, remote() and
 * distributedFor (lines 67–124, 373–386, 591–769, 1057–1068 and the splitrange.jl it includes at
 * line 1978). Each test is named after the Julia block it ports and its line; UNMAPPED.md lists
 * the blocks left out.
 */
import { describe, expect, it } from 'vitest';
import {
  CachingPool,
  Channel,
  defaultWorkerPool,
  distributedFor,
  fetch,
  myid,
  nworkers,
  type PmapOptions,
  pmap,
  RemoteChannel,
  RemoteException,
  remote,
  remotecall,
  remotecallFetch,
  spawnAt,
  WorkerPool,
  workers,
} from '../../src/index.js';
import { waitFor } from '../integration/leaks.js';
import { apiFn, hasApi, sleep, useWorkers } from './cluster.js';

const cluster = useWorkers(3);
const idOther = () => cluster.pids[0] as number;

/** pmap's options with the ones darray has not settled yet (Julia's `distributed`). */
type Options = PmapOptions<unknown> & { distributed?: boolean };
const pmapWith = pmap as unknown as <T, R>(
  fn: (x: T) => R,
  items: Iterable<T>,
  opts: Options,
) => Promise<unknown[]>;

describe('remote() and the default pool', () => {
  it('distributed_exec.jl:68 each remote() call holds a worker of the default pool until it returns', async () => {
    const pool = defaultWorkerPool();
    const channels = workers().map(() => new RemoteChannel(() => new Channel<string>(1)));
    let count = 0;
    const remoteWait = (c: RemoteChannel<string>) => {
      count++;
      return remote(
        (ch: RemoteChannel<string>) => ch.take(),
        pool,
      )(c).then(() => {
        count--;
      });
    };
    try {
      for (let round = 0; round < 2; round++) {
        expect(pool.isReady()).toBe(true);
        const running: Promise<void>[] = [];
        for (const [i, c] of channels.entries()) {
          expect(count).toBe(i);
          running.push(remoteWait(c));
          await sleep(10);
        }
        expect(count).toBe(channels.length);
        // Every worker is busy waiting on its channel.
        expect(pool.isReady()).toBe(false);
        const order = round === 0 ? channels : [...channels].reverse();
        for (const [i, c] of order.entries()) {
          await c.put('foo');
          await waitFor(() => count === channels.length - i - 1, 10_000, 'the call to return');
          await waitFor(() => pool.isReady(), 10_000, 'the worker to return to the pool');
        }
        await Promise.all(running);
        expect(count).toBe(0);
      }
    } finally {
      for (const c of channels) c.finalize();
    }
  });

  it('distributed_exec.jl:712 the default pool cycles through all workers', async () => {
    await pmap(
      () => myid(),
      Array.from({ length: nworkers() }, (_, i) => i),
    );
    const ids = await pmap(
      () => myid(),
      Array.from({ length: 100 }, (_, i) => i),
    );
    expect(new Set(ids).size).toBe(nworkers());
  });

  it('distributed_exec.jl:716 pmap called on a worker cycles through all workers too', async () => {
    const ids = await remotecallFetch(
      () =>
        pmap(
          () => myid(),
          Array.from({ length: 100 }, (_, i) => i),
        ),
      idOther(),
    );
    expect(new Set(ids).size).toBe(nworkers());
  });

  it('distributed_exec.jl:758 replacing the default pool: pmap then uses the new pool', async () => {
    // Julia's default_worker_pool!(pool); written here as defaultWorkerPool(pool).
    const setDefault = defaultWorkerPool as unknown as (pool?: WorkerPool) => WorkerPool;
    const original = defaultWorkerPool();
    const wp = new CachingPool(workers());
    try {
      setDefault(wp);
      expect(defaultWorkerPool()).toBe(wp);
      const xs = Array.from({ length: 100 }, (_, i) => i + 1);
      expect(await pmap((x: number) => x, xs)).toEqual(xs);
      await wp.clear();
    } finally {
      setDefault(original);
    }
    expect(defaultWorkerPool()).toBe(original);
  });
});

describe('pmap', () => {
  // Every combination of Julia's pmap keywords (distributed, batch_size, on_error, retry_delays,
  // retry_check), each with its default and one other value, checked as Julia checks them.
  const data = Array.from({ length: 100 }, (_, i) => i + 1);
  for (const distributed of ['default', false] as const)
    for (const batchSize of ['default', 2] as const)
      for (const onError of ['default', 'set'] as const)
        for (const retryDelays of ['default', 'set'] as const)
          for (const retryCheck of ['default', 'set'] as const) {
            const label = `distributed=${distributed}, batchSize=${batchSize}, onError=${onError}, retryDelays=${retryDelays}, retryCheck=${retryCheck}`;
            it(`distributed_exec.jl:594 pmap keyword combination ${label}`, async () => {
              const opts: Options = {};
              if (distributed === false) opts.distributed = false;
              if (batchSize !== 'default') opts.batchSize = batchSize;
              if (onError === 'set')
                opts.onError = (e: Error) => {
                  if ((e as RemoteException).captured?.message === 'foobar') return true;
                  throw e;
                };
              // Julia's delays are 1 ms, a thousand of them.
              if (retryDelays === 'set') opts.retryDelays = new Array(1000).fill(1);
              if (retryCheck === 'set')
                opts.retryCheck = (_s, e: Error) =>
                  ((e as RemoteException).captured?.message ?? e.message).endsWith('foobar');
              const testw = distributed === false ? [1] : workers();

              if (retryDelays === 'set') {
                const out = (await pmapWith(
                  (x: number) => {
                    if (myid() % 2 === 0) throw new Error('notfoobar');
                    return [x * 2, myid()];
                  },
                  data,
                  opts,
                )) as [number, number][];
                expect(out.map((r) => r[0])).toEqual(data.map((x) => 2 * x));
                const pids = new Set(out.map((r) => r[1]));
                for (const p of testw) expect(pids.has(p)).toBe(p % 2 === 1);
              } else if (onError === 'default') {
                const out = (await pmapWith((x: number) => [x * 2, myid()], data, opts)) as [
                  number,
                  number,
                ][];
                expect(out.map((r) => r[0])).toEqual(data.map((x) => 2 * x));
                const pids = new Set(out.map((r) => r[1]));
                for (const p of testw) expect(pids.has(p)).toBe(true);
              } else {
                const out = await pmapWith(
                  (x: number) => {
                    if (x % 2 === 0) throw new Error('foobar');
                    return [x * 2, myid()];
                  },
                  data,
                  opts,
                );
                for (const [i, x] of data.entries()) {
                  if (x % 2 === 0) expect(out[i]).toBe(true);
                  else {
                    const [v, p] = out[i] as [number, number];
                    expect(v).toBe(2 * x);
                    expect(testw).toContain(p);
                  }
                }
              }
            });
          }

  it('distributed_exec.jl:677 pmap over a pool of only this process behaves as map (generic map tests)', async () => {
    const emptyPool = new WorkerPool([myid()]);
    const fallback = <T, R>(f: (x: T) => R, c: Iterable<T>) => pmap(f, c, { pool: emptyPool });
    expect(await fallback((x: number) => x * 2, [1, 2, 3])).toEqual([2, 4, 6]);
    expect(await fallback((x: number) => x, [])).toEqual([]);
    expect(await fallback((x: number) => x + 1, new Set([1, 5]))).toEqual([2, 6]);
    expect(await fallback(() => myid(), [1, 2])).toEqual([1, 1]);
  });

  it('distributed_exec.jl:677 pmap over several collections, as map(f, a, b)', async () => {
    // Julia's pmap(f, c1, c2): written here as further collections after the first.
    const multi = pmap as unknown as (
      f: (a: number, b: number) => number,
      ...c: unknown[]
    ) => Promise<number[]>;
    expect(await multi((a, b) => a + b, [1, 2, 3], [10, 20, 30])).toEqual([11, 22, 33]);
    expect(await multi((a, b) => a * b, [1, 2], [3, 4], { pool: new WorkerPool([myid()]) })).toEqual([3, 8]);
  });

  it('distributed_exec.jl:682 pmap gives what map gives, over several kinds of input', async () => {
    const inputs: Iterable<unknown>[] = [[1, 2, 3], new Set(['a', 'b']), 'xyz', new Map([[1, 'one']]), []];
    for (const c of inputs) {
      const f = (x: unknown) => JSON.stringify(x);
      expect(await pmap(f, c)).toEqual(Array.from(c).map(f));
    }
  });

  it('distributed_exec.jl:683 pmap over the characters of a string', async () => {
    const out = await pmap((c: string) => c.toUpperCase(), 'Hello World!');
    expect(out.join('')).toBe('HELLO WORLD!');
  });

  it('distributed_exec.jl:687 pmap throws the error of the item that failed', async () => {
    const e = await pmap(
      (x: number) => {
        if (x === 50) throw new Error('foobar');
        return x;
      },
      Array.from({ length: 100 }, (_, i) => i + 1),
    ).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(RemoteException);
    expect((e as RemoteException).captured.message).toBe('foobar');
  });

  it('distributed_exec.jl:698 pmap over a generator', async () => {
    function* gen() {
      for (let x = 1; x <= 100; x++) yield x;
    }
    expect(await pmap((x: number) => x, gen())).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });
});

describe('worker pools', () => {
  it('distributed_exec.jl:386 pmap on a pool of two workers uses only those two', async () => {
    const two = workers().slice(0, 2);
    const ids = await pmap(
      async () => {
        await new Promise((r) => setTimeout(r, 20));
        return myid();
      },
      Array.from({ length: 10 }, (_, i) => i),
      { pool: new WorkerPool(two) },
    );
    expect([...new Set(ids)].sort()).toEqual([...two].sort());
  });

  it('distributed_exec.jl:720 pmap on a WorkerPool of every worker uses every worker', async () => {
    const wp = new WorkerPool(workers());
    const xs = Array.from({ length: 100 }, (_, i) => i);
    expect(new Set(await pmap(() => myid(), xs, { pool: wp })).size).toBe(nworkers());
  });

  it('distributed_exec.jl:722 a WorkerPool sent to a worker serves pmap there', async () => {
    const wp = new WorkerPool(workers());
    const ids = await remotecallFetch(
      (pool: WorkerPool) =>
        pmap(
          () => myid(),
          Array.from({ length: 100 }, (_, i) => i),
          { pool },
        ),
      idOther(),
      wp,
    );
    expect(new Set(ids).size).toBe(nworkers());
  });

  it('distributed_exec.jl:723 a WorkerPool of two workers: pmap, remotecall and a failing call', async () => {
    const two = workers().slice(0, 2);
    const wp = new WorkerPool(two);
    const xs = Array.from({ length: 100 }, (_, i) => i);
    expect([...new Set(await pmap(() => myid(), xs, { pool: wp }))].sort()).toEqual([...two].sort());
    expect(wp.workers).toContain(await fetch(remotecall(() => myid(), wp)));
    await expect(
      fetch(
        remotecall(() => {
          throw new Error('in pool');
        }, wp),
      ),
    ).rejects.toBeInstanceOf(RemoteException);
  });

  it('distributed_exec.jl:728 waiting on a WorkerPool until a worker is put back, here and from a worker', async () => {
    const w = workers()[0] as number;
    const wp = new WorkerPool([w]);
    const waitOn = (p: WorkerPool) => (p as unknown as { wait(): Promise<void> }).wait();
    expect(await wp.take()).toBe(w);
    expect(wp.isReady()).toBe(false);
    let done = false;
    const t = Promise.resolve()
      .then(() => waitOn(wp))
      .then(() => {
        done = true;
      });
    // Awaited below; a rejection must not count as unhandled meanwhile.
    t.catch(() => {});
    await sleep(50);
    expect(done).toBe(false);
    wp.put(w);
    await t;
    expect(done).toBe(true);

    // The same wait, called on the worker with the pool sent to it.
    await wp.take();
    expect(wp.isReady()).toBe(false);
    const f = spawnAt(w, (p: WorkerPool) => (p as unknown as { wait(): Promise<void> }).wait(), wp);
    await sleep(50);
    expect(await f.isReady()).toBe(false);
    wp.put(w);
    const end = Date.now() + 10_000;
    while (!(await f.isReady()) && Date.now() < end) await sleep(25);
    expect(await f.isReady()).toBe(true);
    await f.fetch();
  });

  it('distributed_exec.jl:749 a CachingPool runs pmap and remote calls, and clear() empties its cache', async () => {
    const wp = new CachingPool(workers());
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(await pmap((x: number) => x, xs, { pool: wp })).toEqual(xs);
    expect(wp.workers).toContain(await fetch(remotecall(() => myid(), wp)));
    await expect(
      fetch(
        remotecall(() => {
          throw new Error('in caching pool');
        }, wp),
      ),
    ).rejects.toBeInstanceOf(RemoteException);
    await wp.clear();
    // With the cache empty the functions are sent again.
    expect(await pmap((x: number) => -x, [1, 2], { pool: wp })).toEqual([-1, -2]);
    await wp.clear();
  });
});

describe('distributedFor', () => {
  it('distributed_exec.jl:373 iterations are spread so that every worker gets M or M+1 of them', async () => {
    const ids = await distributedFor(
      [1, 8],
      () => [myid()],
      (a: number[], b: number[]) => [...a, ...b],
    );
    const loads = workers().map((p) => ids.filter((i) => i === p).length);
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
  });

  it('distributed_exec.jl:380 a reduction over a range shorter than the number of workers', async () => {
    expect(
      await distributedFor(
        [1, 3],
        (i) => i,
        (a, b) => a + b,
      ),
    ).toBe(3);
  });

  it('distributed_exec.jl:1057 (#16451) random numbers drawn in the body', async () => {
    for (let k = 0; k < 2; k++) {
      const total = await distributedFor(
        [1, 11],
        () => Math.random(),
        (a, b) => a + b,
      );
      expect(total).toBeGreaterThan(0);
      expect(total).toBeLessThan(10);
    }
  });

  // splitrange.jl: the range is cut into contiguous pieces, larger ones first.
  const pieces = async (lo: number, hi: number, parts: number): Promise<[number, number][]> => {
    const seen = (await distributedFor(
      [lo, hi + 1],
      (i) => [[i, myid()]],
      (a: number[][], b: number[][]) => [...a, ...b],
    )) as [number, number][];
    const byWorker = workers()
      .slice(0, parts)
      .map((p) => seen.filter(([, q]) => q === p).map(([i]) => i))
      .filter((is) => is.length > 0)
      .map((is): [number, number] => [Math.min(...is), Math.max(...is)]);
    return byWorker;
  };

  it('splitrange.jl:7 a range over three workers is cut as splitrange cuts it', async () => {
    // splitrange(1, 11, 3) == [1:4, 5:8, 9:11], and the same shape shifted.
    expect(await pieces(1, 11, 3)).toEqual([
      [1, 4],
      [5, 8],
      [9, 11],
    ]);
    expect(await pieces(0, 10, 3)).toEqual([
      [0, 3],
      [4, 7],
      [8, 10],
    ]);
    expect(await pieces(-1, 9, 3)).toEqual([
      [-1, 2],
      [3, 6],
      [7, 9],
    ]);
  });

  it('splitrange.jl:19 a range with as many items as workers gives one each', async () => {
    expect(await pieces(1, 3, 3)).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    expect(await pieces(-1, 1, 3)).toEqual([
      [-1, -1],
      [0, 0],
      [1, 1],
    ]);
  });
});

describe('free functions', () => {
  it('distributed_exec.jl:77 take as a free function, passed to remote()', async () => {
    expect(hasApi('take')).toBe(true);
    const take = apiFn('take');
    const c = new RemoteChannel(() => new Channel<string>(1));
    try {
      await c.put('foo');
      expect(await remote(take)(c)).toBe('foo');
    } finally {
      c.finalize();
    }
  });
});
