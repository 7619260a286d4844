/**
 * SPMD mode (DistributedArrays.SPMD), ported from DistributedArrays.jl test/spmd.jl test by test,
 * plus the failure cases the port adds: real workers, messages worker to worker.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  ArgumentError,
  addprocs,
  barrier,
  bcast,
  Channel,
  CompositeException,
  collect,
  context,
  contextLocalStorage,
  DArray,
  dzeros,
  gather,
  localpart,
  myid,
  type NDArray,
  ProcessExitedException,
  procs,
  RemoteChannel,
  RemoteException,
  recvfrom,
  recvfromAny,
  remotecallFetch,
  rmprocs,
  scatter,
  sendto,
  spmd,
  spmdContextCount,
  wireStats,
  workers,
} from '../../src/index.js';
import { useTwoWorkers } from './two-workers.js';

const cluster = useTwoWorkers({ chunks: true });

/** A channel on this process that spmd functions report into (they cannot capture variables). */
function reports(): RemoteChannel<[number, unknown]> {
  return new RemoteChannel(() => new Channel<[number, unknown]>(64), 1);
}

async function drain(ch: RemoteChannel<[number, unknown]>, n: number): Promise<Map<number, unknown>> {
  const out = new Map<number, unknown>();
  for (let i = 0; i < n; i++) {
    const [p, v] = await ch.take();
    out.set(p, v);
  }
  ch.finalize();
  return out;
}

async function contextCounts(): Promise<number[]> {
  return Promise.all(procs().map((p) => remotecallFetch(() => spmdContextCount(), p)));
}

afterAll(async () => {
  // Every run-only context is gone once its run ends, and every test closes the contexts it made.
  expect(await contextCounts()).toEqual(procs().map(() => 0));
});

describe('DistributedArrays spmd.jl spmd_test1 (all processes)', () => {
  it('DistributedArrays spmd.jl:3 "barrier(tag=:b1), then send/recv from 2 to 1"', async () => {
    const out = reports();
    await spmd(async (ch: RemoteChannel<[number, unknown]>) => {
      await barrier({ tag: 'b1' });
      if (myid() === 1) await ch.put([1, await recvfrom(2)]);
      else if (myid() === 2) sendto(1, 'Hello from 2');
    }, out);
    expect((await drain(out, 1)).get(1)).toBe('Hello from 2');
  });

  it('DistributedArrays spmd.jl:13 "sleep a random time, barrier(tag=:b2), then bcast from 1"', async () => {
    const out = reports();
    await spmd(async (ch: RemoteChannel<[number, unknown]>) => {
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 30)));
      await barrier({ tag: 'b2' });
      const v = await bcast(myid() === 1 ? [Math.random(), Math.random()] : undefined, 1);
      await ch.put([myid(), v]);
    }, out);
    const got = await drain(out, procs().length);
    for (const p of procs()) expect(got.get(p)).toEqual(got.get(1));
    expect((got.get(1) as number[]).length).toBe(2);
  });

  it('DistributedArrays spmd.jl:34 "scatter one element per process (tag=1)"', async () => {
    const out = reports();
    await spmd(async (ch: RemoteChannel<[number, unknown]>) => {
      const data = myid() === 1 ? Int8Array.from(procs(), (p) => p * 10 - 5) : undefined;
      await barrier();
      await ch.put([myid(), Array.from(await scatter(data, 1, { tag: 1 }))]);
    }, out);
    const got = await drain(out, procs().length);
    for (const p of procs()) expect(got.get(p)).toEqual([p * 10 - 5]);
  });

  it('DistributedArrays spmd.jl:47 "scatter two elements per process (tag=2)"', async () => {
    const out = reports();
    await spmd(async (ch: RemoteChannel<[number, unknown]>) => {
      const data = myid() === 1 ? Array.from({ length: 2 * procs().length }, (_, i) => i) : undefined;
      await ch.put([myid(), await scatter(data, 1, { tag: 2 })]);
    }, out);
    const got = await drain(out, procs().length);
    for (const [i, p] of procs().entries()) expect(got.get(p)).toEqual([2 * i, 2 * i + 1]);
  });

  it('DistributedArrays spmd.jl:59 "gather(myid(), 1, tag=3) == procs()"', async () => {
    const out = reports();
    await spmd(async (ch: RemoteChannel<[number, unknown]>) => {
      const all = await gather(myid(), 1, { tag: 3 });
      if (myid() === 1) await ch.put([1, all]);
      else if (all !== undefined) throw new Error(`gather returned ${String(all)} on a non-root`);
    }, out);
    expect((await drain(out, 1)).get(1)).toEqual(procs());
  });

  it('DistributedArrays spmd.jl:65 "gather([myid(), myid()], 1, tag=4)"', async () => {
    const out = reports();
    await spmd(async (ch: RemoteChannel<[number, unknown]>) => {
      const all = await gather([myid(), myid()], 1, { tag: 4 });
      if (myid() === 1) await ch.put([1, all]);
    }, out);
    expect((await drain(out, 1)).get(1)).toEqual(procs().map((p) => [p, p]));
  });
});

/** The body of spmd.jl's foo_spmd / foo_spmd2: each worker swaps its row ends with its ring neighbours n times. */
async function ringSum(din: DArray, dout: DArray, n: number, keep: boolean): Promise<void> {
  const pids = [...din.pids].sort((a, b) => a - b);
  const i = pids.indexOf(myid());
  const next = pids[(i + 1) % pids.length] as number;
  const prev = pids[(i - 1 + pids.length) % pids.length] as number;
  const mine = ((await localpart(din)) as NDArray).data;
  const store = keep ? contextLocalStorage() : new Map<unknown, unknown>();
  let localsum = (store.get('LOCALSUM') as number | undefined) ?? 0;
  for (let k = 0; k < n; k++) {
    sendto(next, mine[1]);
    sendto(prev, mine[0]);
    mine[1] = await recvfrom<number>(prev);
    mine[0] = await recvfrom<number>(next);
    await barrier({ pids });
    localsum += (mine[0] as number) + (mine[1] as number);
  }
  ((await localpart(dout)) as NDArray).data[0] = localsum;
  store.set('LOCALSUM', localsum);
}

async function ringArrays(): Promise<[DArray, DArray]> {
  const n = workers().length;
  const din = await DArray.init(
    (box) => {
      const [[r0, r1], [c0, c1]] = box as [[number, number], [number, number]];
      return Array.from({ length: r1 - r0 }, () => Array.from({ length: c1 - c0 }, () => myid()));
    },
    [n, 2],
    { procs: workers(), dist: [n, 1] },
  );
  const dout = await dzeros([n], { procs: workers(), dist: [n] });
  return [din, dout];
}

describe('DistributedArrays spmd.jl: spmd on the workers only, many runs at once', () => {
  it('DistributedArrays spmd.jl:105 "8 concurrent runs of foo_spmd, each in its own implicit context"', async () => {
    const arrays = await Promise.all(Array.from({ length: 8 }, ringArrays));
    const fn = async (din: DArray, dout: DArray, n: number) => {
      const pids = [...din.pids].sort((a, b) => a - b);
      const i = pids.indexOf(myid());
      const next = pids[(i + 1) % pids.length] as number;
      const prev = pids[(i - 1 + pids.length) % pids.length] as number;
      const mine = ((await localpart(din)) as NDArray).data;
      let localsum = 0;
      for (let k = 0; k < n; k++) {
        sendto(next, mine[1]);
        sendto(prev, mine[0]);
        mine[1] = await recvfrom<number>(prev);
        mine[0] = await recvfrom<number>(next);
        await barrier({ pids });
        localsum += (mine[0] as number) + (mine[1] as number);
      }
      ((await localpart(dout)) as NDArray).data[0] = localsum;
    };
    await Promise.all(
      arrays.map(([din, dout]) => spmd(fn, din, dout, workers().length, { pids: workers() })),
    );
    const want = workers().reduce((a, b) => a + b, 0) * 2;
    for (const [din, dout] of arrays) {
      expect(Array.from((await collect(dout)).data)).toEqual(workers().map(() => want));
      din.close();
      dout.close();
    }
    expect(await contextCounts()).toEqual(procs().map(() => 0));
  });

  it('DistributedArrays spmd.jl:163 "8 explicit contexts: a second run adds to the sum kept in contextLocalStorage"', async () => {
    const arrays = await Promise.all(Array.from({ length: 8 }, ringArrays));
    const contexts = arrays.map(() => context(workers()));
    const run = () =>
      Promise.all(
        arrays.map(([din, dout], i) =>
          spmd(ringSum, din, dout, workers().length, true, { pids: workers(), context: contexts[i] }),
        ),
      );
    await run();
    await run();
    const want = 2 * workers().reduce((a, b) => a + b, 0) * 2;
    for (const [, dout] of arrays)
      expect(Array.from((await collect(dout)).data)).toEqual(workers().map(() => want));
    // spmd.jl:178: each worker holds the 8 contexts, each with the sum in its store.
    expect(await Promise.all(workers().map((p) => remotecallFetch(() => spmdContextCount(), p)))).toEqual([
      8, 8,
    ]);
    const out = reports();
    await Promise.all(
      contexts.map((c) =>
        spmd(
          async (ch: RemoteChannel<[number, unknown]>) => {
            await ch.put([
              myid() * 1000 + Math.floor(Math.random() * 1000),
              contextLocalStorage().get('LOCALSUM'),
            ]);
          },
          out,
          { pids: workers(), context: c },
        ),
      ),
    );
    const sums = [...(await drain(out, 16)).values()];
    expect(sums.length).toBeGreaterThan(0);
    for (const s of sums) expect(s).toBe(want);
    // spmd.jl:196: closing the contexts deletes the stores everywhere.
    await Promise.all(contexts.map((c) => c.close()));
    expect(await contextCounts()).toEqual(procs().map(() => 0));
    for (const [din, dout] of arrays) {
      din.close();
      dout.close();
    }
  });
});

describe('spmd messages and failures (beyond spmd.jl)', () => {
  it('messages go worker to worker: 1 MB from 2 to 3 does not pass through the master', async () => {
    const before = wireStats().bytesSent;
    const out = reports();
    await spmd(
      async (ch: RemoteChannel<[number, unknown]>, from: number, to: number) => {
        const sent = wireStats().bytesSent;
        if (myid() === from) await sendto(to, new Float64Array(131072).fill(1.5));
        else {
          const x = await recvfrom<Float64Array>(from);
          await ch.put([myid(), x.length]);
        }
        await barrier();
        await ch.put([myid() + 100, wireStats().bytesSent - sent]);
      },
      out,
      cluster.p2,
      cluster.p3,
      { pids: [cluster.p2, cluster.p3] },
    );
    const got = await drain(out, 3);
    expect(got.get(cluster.p3)).toBe(131072);
    expect(got.get(cluster.p2 + 100) as number).toBeGreaterThan(1_000_000);
    expect(wireStats().bytesSent - before).toBeLessThan(100_000);
  });

  it('tags and recvfromAny: a receive takes only the message with its tag, and names the sender', async () => {
    const out = reports();
    await spmd(
      async (ch: RemoteChannel<[number, unknown]>, root: number) => {
        if (myid() !== root) {
          sendto(root, `plain ${myid()}`);
          sendto(root, `tagged ${myid()}`, { tag: 'x' });
          return;
        }
        const tagged = await recvfromAny<string>({ tag: 'x' });
        const other = await recvfromAny<string>({ tag: 'x' });
        const plain = [await recvfromAny<string>(), await recvfromAny<string>()];
        await ch.put([1, [tagged, other, ...plain]]);
      },
      out,
      1,
      { pids: [1, cluster.p2, cluster.p3] },
    );
    const got = (await drain(out, 1)).get(1) as [number, string][];
    const byPid = (xs: [number, string][]) => [...xs].sort((a, b) => a[0] - b[0]);
    const { p2, p3 } = cluster;
    expect(byPid(got.slice(0, 2))).toEqual([
      [p2, `tagged ${p2}`],
      [p3, `tagged ${p3}`],
    ]);
    expect(byPid(got.slice(2))).toEqual([
      [p2, `plain ${p2}`],
      [p3, `plain ${p3}`],
    ]);
  });

  it('a throw on one process rejects spmd with a CompositeException naming it; peers waiting on it do not hang', async () => {
    const err = await spmd(
      async (bad: number) => {
        if (myid() === bad) throw new RangeError('boom on purpose');
        // Waits for a message the failed process will never send.
        await recvfrom(bad);
      },
      cluster.p3,
      { pids: [1, cluster.p2, cluster.p3] },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompositeException);
    const errors = (err as CompositeException).errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(RemoteException);
    expect((errors[0] as RemoteException).pid).toBe(cluster.p3);
    expect((err as Error).message).toContain('boom on purpose');
    expect(await contextCounts()).toEqual(procs().map(() => 0));
  });

  it('a receive from a process that exits fails with ProcessExitedException instead of hanging', async () => {
    const [doomed] = (await addprocs(1)) as [number];
    try {
      const err = await spmd(
        async (d: number) => {
          if (myid() === d) process.exit(0);
          await recvfrom(d);
        },
        doomed,
        { pids: [cluster.p2, doomed] },
      ).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CompositeException);
      const exited = (err as CompositeException).errors.find((e) => e instanceof ProcessExitedException);
      expect((exited as ProcessExitedException | undefined)?.workerId).toBe(doomed);
      expect((err as Error).message).toContain(`worker ${doomed}`);
      const onP2 = (err as CompositeException).errors.find((e) => e instanceof RemoteException);
      if (onP2)
        expect((onP2 as RemoteException).captured.name).toMatch(/ProcessExitedException|SpmdAbortedError/);
    } finally {
      if (workers().includes(doomed)) await rmprocs([doomed]);
    }
    expect(await contextCounts()).toEqual(procs().map(() => 0));
  });

  it('bad input fails with a clear ArgumentError', async () => {
    expect(() => sendto(2, 1)).toThrow(/called outside an spmd run/);
    await expect(recvfrom(2)).rejects.toThrow(ArgumentError);
    await expect(spmd(42 as unknown as () => void)).rejects.toThrow(/expected a function/);
    await expect(spmd(() => {}, { pids: [] })).rejects.toThrow(/non-empty array/);
    let captured = 1;
    await expect(spmd(() => captured++, { pids: [cluster.p2] })).rejects.toThrow(/captured/);
    const uneven = await spmd(async () => {
      await scatter(myid() === 1 ? [1, 2, 3, 4] : undefined, 1);
    }).catch((e: unknown) => e);
    expect(uneven).toBeInstanceOf(CompositeException);
    expect((uneven as Error).message).toMatch(/length 4 does not split evenly over 3 processes/);
    const outsider = await spmd(async () => gather(1, 1, { pids: [1, 99] }), { pids: [1] }).catch(
      (e: unknown) => e,
    );
    expect((outsider as Error).message).toMatch(/process 99 is not part of this spmd run/);
    expect(captured).toBe(1);
    expect(() => context([])).toThrow(ArgumentError);
  });
});
