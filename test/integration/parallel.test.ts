import { describe, expect, it } from 'vitest';
import {
  addprocs,
  CachingPool,
  defaultWorkerPool,
  distributedFor,
  Future,
  myid,
  pmap,
  RemoteException,
  remote,
  remotecall,
  remotecallFetch,
  remotecallWait,
  rmprocs,
  WorkerPool,
  workers,
} from '../../src/index.js';
import { waitUntil } from './leaks.js';
import { useTwoWorkers } from './two-workers.js';

const cluster = useTwoWorkers();

describe('worker pools', () => {
  it('WorkerPool hands out one worker per call and takes pools in place of pids', async () => {
    const pool = new WorkerPool([cluster.p2, cluster.p3]);
    expect(pool.workers).toEqual([cluster.p2, cluster.p3]);
    const ids = await Promise.all([1, 2, 3, 4].map(() => remotecallFetch(() => myid(), pool)));
    expect(new Set(ids)).toEqual(new Set([cluster.p2, cluster.p3]));
    const f = remotecall((x: number) => x + 1, pool, 41);
    expect(f).toBeInstanceOf(Future);
    expect(await f.fetch()).toBe(42);
    const w = await remotecallWait(() => 'waited', pool);
    expect(await w.fetch()).toBe('waited');
    expect(pool.isReady()).toBe(true);
  });

  it('take/put reserve workers, and a pooled call waits for a free one', async () => {
    const pool = new WorkerPool([cluster.p2]);
    const pid = await pool.take();
    expect(pid).toBe(cluster.p2);
    let ran = false;
    const call = pool
      .remotecallFetch(() => 'ok')
      .then((v) => {
        ran = true;
        return v;
      });
    await new Promise((r) => setTimeout(r, 50));
    expect(ran).toBe(false);
    pool.put(pid);
    expect(await call).toBe('ok');
  });

  it('defaultWorkerPool covers all workers, and remote(fn) runs on it', async () => {
    expect(defaultWorkerPool().workers).toEqual(workers());
    const square = remote((x: number) => x * x);
    expect(await Promise.all([2, 3].map(square))).toEqual([4, 9]);
  });

  it('CachingPool sends a function to each worker once and clear() drops it', async () => {
    const pool = new CachingPool([cluster.p2, cluster.p3]);
    const fn = (x: number) => x * 3;
    const got = await Promise.all([1, 2, 3, 4].map((x) => pool.remotecallFetch(fn, x)));
    expect(got).toEqual([3, 6, 9, 12]);
    await pool.clear();
    // After clear the function is sent again on the next call.
    expect(await pool.remotecallFetch(fn, 5)).toBe(15);
    await pool.clear();
  });

  it('rejects bad pools', () => {
    expect(() => new WorkerPool(5 as unknown as number[])).toThrow(/array of worker ids/);
    expect(() => new WorkerPool([0])).toThrow(/worker id/);
  });
});

describe('worker pools across processes (Julia serializes a pool as a reference to its owner)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i);

  it('a pool sent to a worker is the same pool there: pmap from the worker uses its free workers', async () => {
    const wp = new WorkerPool([cluster.p2, cluster.p3]);
    const everywhere = await remotecallFetch(
      (pool: WorkerPool, items: number[]) => pmap(() => myid(), pool, items),
      cluster.p2,
      wp,
      hundred,
    );
    expect(new Set(everywhere)).toEqual(new Set([cluster.p2, cluster.p3]));
    // While this process holds p3, the worker's pmap can only get p2 from the shared pool.
    const held = await wp.take();
    const other = held === cluster.p2 ? cluster.p3 : cluster.p2;
    const onlyOther = await remotecallFetch(
      (pool: WorkerPool, items: number[]) => pmap(() => myid(), pool, items),
      cluster.p3,
      wp,
      hundred,
    );
    expect(new Set(onlyOther)).toEqual(new Set([other]));
    wp.put(held);
    expect(await remotecallFetch((pool: WorkerPool) => [pool.workers, pool.length], cluster.p3, wp)).toEqual([
      [cluster.p2, cluster.p3],
      2,
    ]);
    // Back on its owner it is the pool itself.
    expect(await remotecallFetch((pool: WorkerPool) => pool, cluster.p2, wp)).toBe(wp);
  });

  it('wait() resolves when a worker is free, here and from a worker; isReady() says whether take() would wait', async () => {
    const wp = new WorkerPool([cluster.p2]);
    const w = await wp.take();
    expect(wp.isReady()).toBe(false);
    let woke = false;
    const waiting = wp.wait().then(() => {
      woke = true;
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(woke).toBe(false);
    wp.put(w);
    await waiting;
    expect(wp.isReady()).toBe(true);
    // Waiting does not take the worker.
    expect(await wp.take()).toBe(w);
    // Only the owner can say at once; a reference says so and how to wait instead.
    await expect(remotecallFetch((pool: WorkerPool) => pool.isReady(), cluster.p3, wp)).rejects.toThrow(
      /lives on process 1, which alone can answer at once; await pool.wait\(\)/,
    );
    const f = remotecall(
      async (pool: WorkerPool) => {
        await pool.wait();
        return 'free';
      },
      cluster.p3,
      wp,
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(await f.isReady()).toBe(false);
    wp.put(w);
    expect(await f.fetch()).toBe('free');
    await expect(new WorkerPool([]).wait()).rejects.toThrow(/no live workers left/);
  });

  it('workers a process took through a reference come back if it dies', async () => {
    const [victim] = (await addprocs(1)) as [number];
    const wp = new WorkerPool([cluster.p2]);
    await remotecallFetch(
      async (pool: WorkerPool) => {
        await pool.take();
      },
      victim,
      wp,
    );
    expect(wp.isReady()).toBe(false);
    const osPid = await remotecallFetch(() => process.pid, victim);
    process.kill(osPid, 'SIGKILL');
    await wp.wait();
    expect(await wp.take()).toBe(cluster.p2);
  });

  it('the owner keeps a pool alive while another process holds it, and lets it go after', async () => {
    const gc = (globalThis as { gc?: () => void }).gc as () => void;
    const [holder] = (await addprocs(1, { exeflags: ['--expose-gc'] })) as [number];
    const settle = async () => {
      for (let i = 0; i < 5; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    // Made inline: after the call, only the worker refers to the pool.
    let ref: WeakRef<WorkerPool> | undefined;
    await (async () => {
      const pool = new WorkerPool([cluster.p2]);
      ref = new WeakRef(pool);
      await remotecallFetch(
        (p: WorkerPool) => {
          (globalThis as unknown as { kept?: WorkerPool }).kept = p;
        },
        holder,
        pool,
      );
    })();
    await settle();
    expect(ref?.deref()).toBeInstanceOf(WorkerPool);
    expect(
      await remotecallFetch(
        () => pmap(() => myid(), (globalThis as unknown as { kept: WorkerPool }).kept, [1, 2]),
        holder,
      ),
    ).toEqual([cluster.p2, cluster.p2]);
    await remotecallFetch(() => {
      delete (globalThis as unknown as { kept?: WorkerPool }).kept;
      (globalThis as unknown as { gc: () => void }).gc();
    }, holder);
    await waitUntil(
      async () => {
        await settle();
        return ref?.deref() === undefined;
      },
      5000,
      'the pool to be collected on its owner',
    );
    await rmprocs(holder);
  });

  it('defaultWorkerPool(pool) replaces the pool pmap and remote() use by default', async () => {
    const all = defaultWorkerPool();
    const square = remote((x: number) => [myid(), x * x]);
    try {
      expect(defaultWorkerPool(new WorkerPool([cluster.p3])).workers).toEqual([cluster.p3]);
      expect(new Set(await pmap(() => myid(), hundred))).toEqual(new Set([cluster.p3]));
      expect(await square(4)).toEqual([cluster.p3, 16]);
      const cached = new CachingPool([cluster.p2]);
      defaultWorkerPool(cached);
      expect(await pmap((x: number) => [myid(), x], [1, 2])).toEqual([
        [cluster.p2, 1],
        [cluster.p2, 2],
      ]);
      await cached.clear();
    } finally {
      defaultWorkerPool(all);
    }
    expect(defaultWorkerPool()).toBe(all);
    expect(() => defaultWorkerPool([2] as never)).toThrow(/defaultWorkerPool: expected a WorkerPool/);
  });
});

describe('pmap', () => {
  it('keeps input order and accepts any iterable', async () => {
    expect(await pmap((x: number) => x * x, [1, 2, 3, 4, 5])).toEqual([1, 4, 9, 16, 25]);
    expect(await pmap((x: number) => x + 1, new Set([1, 2]))).toEqual([2, 3]);
    function* gen() {
      yield 'a';
      yield 'b';
    }
    expect(await pmap((s: string) => s.toUpperCase(), gen())).toEqual(['A', 'B']);
    expect(await pmap((x: number) => x, [])).toEqual([]);
  });

  it('batches, including an automatic batch size', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => i);
    const byBatch = await pmap((x: number) => [x, myid()], items, { batchSize: 100 });
    expect(byBatch.map(([x]) => x)).toEqual(items);
    const auto = await pmap((x: number) => x * 2, items, { batchSize: 'auto' });
    expect(auto).toEqual(items.map((x) => x * 2));
    // Both workers shared the work.
    expect(new Set(byBatch.map(([, w]) => w))).toEqual(new Set([cluster.p2, cluster.p3]));
  });

  it('onError supplies a failed item value; without it pmap fails with the RemoteException', async () => {
    const f = (x: number) => {
      if (x % 2) throw new Error(`odd ${x}`);
      return x;
    };
    expect(await pmap(f, [0, 1, 2, 3], { onError: (e) => (e as RemoteException).captured.message })).toEqual([
      0,
      'odd 1',
      2,
      'odd 3',
    ]);
    const err = (await pmap(f, [0, 1, 2]).catch((e: unknown) => e)) as RemoteException;
    expect(err).toBeInstanceOf(RemoteException);
    // The exception names the worker the item failed on.
    expect([cluster.p2, cluster.p3]).toContain(err.pid);
  });

  it('retries per retryDelays and retryCheck', async () => {
    // Fails the first two times per process, then succeeds.
    const flaky = (x: number) => {
      const g = globalThis as unknown as { tries?: number };
      g.tries = (g.tries ?? 0) + 1;
      if (g.tries <= 2) throw new Error('flaky');
      return x;
    };
    const pool = new WorkerPool([cluster.p2]);
    await remotecallFetch(() => {
      (globalThis as unknown as { tries: number }).tries = 0;
    }, cluster.p2);
    expect(await pmap(flaky, [7], { pool, retryDelays: [1, 1, 1] })).toEqual([7]);
    await remotecallFetch(() => {
      (globalThis as unknown as { tries: number }).tries = 0;
    }, cluster.p2);
    await expect(pmap(flaky, [7], { pool, retryDelays: [1, 1, 1], retryCheck: () => false })).rejects.toThrow(
      /flaky/,
    );
  });

  it('an item whose worker dies is retried on a live worker; nothing hangs or is lost', async () => {
    const [victim] = (await addprocs(1)) as [number];
    const pool = new WorkerPool([cluster.p2, victim]);
    const osPid = await remotecallFetch(() => process.pid, victim);
    const items = Array.from({ length: 40 }, (_, i) => i);
    const run = pmap(
      async (x: number) => {
        await new Promise((r) => setTimeout(r, 20));
        return x * 10;
      },
      items,
      { pool },
    );
    setTimeout(() => process.kill(osPid, 'SIGKILL'), 100);
    expect(await run).toEqual(items.map((x) => x * 10));
    expect(pool.workers).toEqual([cluster.p2]);
  });

  it('rejects bad input clearly', async () => {
    await expect(pmap((x: number) => x, 5 as unknown as number[])).rejects.toThrow(/expected an iterable/);
    await expect(pmap('f' as unknown as () => void, [1])).rejects.toThrow(/expected a function/);
    await expect(pmap((x: number) => x, [1], { batchSize: 0 })).rejects.toThrow(/batchSize/);
    await expect(pmap((x: number) => x, [1], { onError: 3 as unknown as () => number })).rejects.toThrow(
      /onError must be a function/,
    );
  });
});

describe('pmap forms (Julia pmap(f, [pool], c...; distributed))', () => {
  it('maps several collections elementwise, stopping at the shortest (zip)', async () => {
    expect(await pmap((a: number, b: number) => a + b, [1, 2], [10, 20])).toEqual([11, 22]);
    function* letters() {
      yield 'x';
      yield 'y';
      yield 'z';
    }
    expect(
      await pmap(
        (a: number, b: string, c: number) => `${b}${a * c}`,
        [1, 2, 3, 4],
        letters(),
        new Set([5, 6, 7]),
        {
          batchSize: 2,
        },
      ),
    ).toEqual(['x5', 'y12', 'z21']);
    expect(await pmap((a: number, b: number) => a * b, [1, 2], [])).toEqual([]);
  });

  it('takes the pool before the collections', async () => {
    const pool = new WorkerPool([cluster.p3]);
    expect(await pmap(() => myid(), pool, [1, 2, 3])).toEqual([cluster.p3, cluster.p3, cluster.p3]);
    expect(
      await pmap((a: number, b: number) => [myid(), a * b], pool, [2, 3], [4, 5], { batchSize: 2 }),
    ).toEqual([
      [cluster.p3, 8],
      [cluster.p3, 15],
    ]);
  });

  it('distributed: false maps here with as many concurrent tasks as the pool has workers', async () => {
    let calls = 0;
    let running = 0;
    let most = 0;
    // A closure over local variables: it could not be sent to a worker.
    const f = async (x: number, y: number) => {
      calls++;
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return [myid(), x + y];
    };
    const xs = [1, 2, 3, 4, 5, 6];
    const out = await pmap(f, xs, xs, { distributed: false, pool: new WorkerPool([cluster.p2, cluster.p3]) });
    expect(out).toEqual(xs.map((x) => [1, 2 * x]));
    expect(calls).toBe(6);
    expect(most).toBe(2);
    most = 0;
    await pmap(f, new WorkerPool([cluster.p2]), xs, xs, { distributed: false });
    expect(most).toBe(1);
  });

  it('distributed: false fails as distributed pmap does (a RemoteException from here), retries and calls onError', async () => {
    class Odd extends Error {}
    const f = (x: number) => {
      if (x % 2) throw new Odd(`odd ${x}`);
      return x;
    };
    const err = (await pmap(f, [0, 1], { distributed: false }).catch((e: unknown) => e)) as RemoteException;
    expect(err).toBeInstanceOf(RemoteException);
    expect([err.pid, err.captured.message]).toEqual([1, 'odd 1']);
    const onError = (e: Error) => (e as RemoteException).captured.message;
    expect(await pmap(f, [0, 1, 2], { distributed: false, onError })).toEqual([0, 'odd 1', 2]);
    let tries = 0;
    const flaky = (x: number) => {
      if (++tries < 3) throw new Error('flaky');
      return x;
    };
    expect(await pmap(flaky, [7], { distributed: false, retryDelays: [0, 0] })).toEqual([7]);
    expect(tries).toBe(3);
  });

  it('tells options, pools and collections apart, and says what is wrong', async () => {
    const id = (x: number) => x;
    await expect(pmap(id, [1], { batch_size: 2 } as never)).rejects.toThrow(
      /^pmap: unknown option 'batch_size'; the options are pool, distributed, batchSize/,
    );
    await expect(
      pmap(id, new WorkerPool([cluster.p2]), [1], { pool: new WorkerPool([cluster.p3]) }),
    ).rejects.toThrow(/given both before the collections and as the pool option/);
    await expect(pmap(id, {} as never)).rejects.toThrow(/expected at least one collection/);
    await expect(pmap((a: number, b: number) => a + b, [1], 2 as never)).rejects.toThrow(
      /as collection 2, got number 2/,
    );
    await expect(pmap(id, [1], { distributed: 'no' as never })).rejects.toThrow(
      /distributed must be true or false/,
    );
  });
});

describe('distributedFor', () => {
  it('reduces each chunk on its worker and combines the partials', async () => {
    expect(
      await distributedFor(
        [0, 1000],
        (i) => i,
        (a, b) => a + b,
      ),
    ).toBe(499500);
    expect(
      await distributedFor(
        [5, 6],
        (i) => i * 2,
        (a, b) => a + b,
      ),
    ).toBe(10);
    const heads = await distributedFor(
      [0, 20000],
      () => Number(Math.random() < 0.5),
      (a, b) => a + b,
    );
    expect(heads).toBeGreaterThan(9000);
    expect(heads).toBeLessThan(11000);
  });

  it('uses contiguous chunks, one per worker', async () => {
    const chunks = await distributedFor(
      [0, 10],
      (i) => [[myid(), i, i]] as [number, number, number][],
      (a, b): [number, number, number][] => {
        const last = a[a.length - 1] as [number, number, number];
        const first = b[0] as [number, number, number];
        if (last[0] === first[0]) return [...a.slice(0, -1), [last[0], last[1], first[2]], ...b.slice(1)];
        return [...a, ...b];
      },
    );
    expect(chunks).toEqual([
      [cluster.p2, 0, 4],
      [cluster.p3, 5, 9],
    ]);
    // An uneven range: the larger chunk first, as Julia's @distributed splits it.
    const owners = await distributedFor(
      [0, 11],
      (i) => [myid(), i],
      (a, b) => [...a, ...b],
    );
    const firsts = owners.filter((_, k) => k % 2 === 0);
    expect(firsts.filter((p) => p === cluster.p2)).toHaveLength(6);
    expect(firsts.filter((p) => p === cluster.p3)).toHaveLength(5);
  });

  it('without a reducer returns one Future per worker at once', async () => {
    const futures = distributedFor([0, 4], (i) => {
      const g = globalThis as unknown as { seen?: number[] };
      (g.seen ??= []).push(i);
    });
    expect(futures).toHaveLength(2);
    for (const f of futures) expect(f).toBeInstanceOf(Future);
    await Promise.all(futures.map((f) => f.fetch()));
    const seen = await Promise.all(
      [cluster.p2, cluster.p3].map((p) =>
        remotecallFetch(() => (globalThis as unknown as { seen: number[] }).seen, p),
      ),
    );
    expect(seen).toEqual([
      [0, 1],
      [2, 3],
    ]);
  });

  it('rejects bad input clearly', async () => {
    expect(() =>
      distributedFor(
        [3, 1],
        (i) => i,
        (a, b) => a + b,
      ),
    ).toThrow(/half-open range/);
    expect(() =>
      distributedFor([0, 3], (i) => i, 'plus' as unknown as (a: number, b: number) => number),
    ).toThrow(/reducer must be a function/);
    await expect(
      distributedFor(
        [0, 0],
        (i) => i,
        (a, b) => a + b,
      ),
    ).rejects.toThrow(/empty range/);
  });
});
