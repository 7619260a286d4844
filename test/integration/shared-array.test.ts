// SharedArray on real workers: one /dev/shm segment mapped into every process of one host.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ArgumentError,
  addprocs,
  array,
  broadcast,
  collect,
  getKernel,
  indexpids,
  isApprox,
  localindices,
  mul,
  myid,
  type NDArray,
  norm,
  powerMethod,
  rand,
  registerKernel,
  remotecallFetch,
  rmprocs,
  SharedArray,
  sdata,
  setThreads,
  sum,
  threadid,
  threadsFor,
  workers,
} from '../../src/index.js';
import { SEGMENT_PREFIX } from '../../src/shared/segment.js';
import { waitFor } from './leaks.js';
import { useTwoWorkers } from './two-workers.js';

const cluster = useTwoWorkers();
const pids = () => [cluster.p2, cluster.p3];
// OS pids of the processes of this suite: only their segments are checked, so that other suites
// running SharedArrays at the same time on this machine cannot disturb the checks.
const ours = new Set([process.pid]);
const segments = () =>
  readdirSync('/dev/shm').filter(
    (f) => f.startsWith(SEGMENT_PREFIX) && ours.has(Number(f.slice(SEGMENT_PREFIX.length).split('-')[0])),
  );

beforeAll(async () => {
  for (const p of pids()) ours.add(await remotecallFetch(() => process.pid, p));
});

afterAll(() => {
  // Every SharedArray of the suite was closed (or its owner died and was swept).
  expect(segments()).toEqual([]);
});

/** A SharedArray over the workers holding `host`'s values, written by each worker's share. */
async function sharedOf(host: NDArray): Promise<SharedArray> {
  const S = await SharedArray.create(host.dtype, host.shape, { pids: pids() });
  S.data.set(host.data);
  return S;
}

describe('SharedArray.create', () => {
  it("the manual's example: init fills each worker's localindices with its id", async () => {
    // Julia: S = SharedArray{Int,2}((3,4), init = S -> S[localindices(S)] = myid())
    const S = await SharedArray.create('int32', [3, 4], {
      init: (S) => {
        const [[lo, hi]] = localindices(S);
        S.data.fill(myid(), lo, hi);
      },
    });
    const [p2, p3] = pids();
    expect(S.pids).toEqual(pids());
    expect(Array.from(S.data)).toEqual([...Array(6).fill(p2), ...Array(6).fill(p3)]);
    // S[3] = 7 on the master is seen by the workers.
    S.data[3] = 7;
    expect(
      await remotecallFetch(
        (S: SharedArray) => {
          (globalThis as { held?: SharedArray }).held = S;
          return S.data[3];
        },
        cluster.p3,
        S,
      ),
    ).toBe(7);
    await S.close();
    expect(S.isClosed).toBe(true);
    expect(S.data.length).toBe(0);
    // close() unmapped it on the worker too, though the worker still holds the object.
    expect(
      await remotecallFetch(() => {
        const held = (globalThis as { held?: SharedArray }).held;
        return [held?.isClosed, held?.data.length];
      }, cluster.p3),
    ).toEqual([true, 0]);
  });

  it("the manual's strided init: S[indexpids(S):length(procs(S)):length(S)] = myid()", async () => {
    const S = await SharedArray.create('int32', [3, 4], {
      init: (S) => {
        for (let i = indexpids(S) - 1; i < S.size; i += S.pids.length) S.data[i] = myid();
      },
    });
    const [p2, p3] = pids();
    expect(Array.from(S.data)).toEqual(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? p2 : p3)));
    await S.close();
  });

  it('with pids: only those processes run init and share the indices', async () => {
    const S = await SharedArray.create('float64', [5], {
      pids: [cluster.p3],
      init: (S) => S.data.fill(myid()),
    });
    expect(Array.from(S.data)).toEqual(Array(5).fill(cluster.p3));
    expect(await remotecallFetch((S: SharedArray) => [indexpids(S), localindices(S)], cluster.p3, S)).toEqual(
      [1, [[0, 5]]],
    );
    await S.close();
  });

  it('localindices and indexpids on participants and a non-participant', async () => {
    const S = await SharedArray.create('float32', [11], { pids: pids() });
    const info = (S: SharedArray) => [indexpids(S), localindices(S)];
    expect(await remotecallFetch(info, cluster.p2, S)).toEqual([1, [[0, 5]]]);
    expect(await remotecallFetch(info, cluster.p3, S)).toEqual([2, [[5, 11]]]);
    // The master maps it but takes no part.
    expect(indexpids(S)).toBe(0);
    expect(() => localindices(S)).toThrow(ArgumentError);
    expect(() => localindices(S)).toThrow(/process 1 is not one of the pids .* check indexpids\(S\) > 0/);
    await S.close();
  });

  it('sdata is an NDArray over the same memory, not a copy', async () => {
    const S = await SharedArray.create('float64', [2, 3], { pids: pids() });
    const A = sdata(S);
    expect(A.shape).toEqual([2, 3]);
    A.set(4.5, 1, 2);
    expect(S.data[5]).toBe(4.5);
    expect(await remotecallFetch((S: SharedArray) => sdata(S).get(1, 2), cluster.p2, S)).toBe(4.5);
    await S.close();
  });

  it('a remote call mutating S is seen by the master, and S comes back mapped, not copied', async () => {
    const S = await SharedArray.create('float64', [4], { pids: pids() });
    const back = await remotecallFetch(
      (S: SharedArray) => {
        S.data[2] = 42;
        return S;
      },
      cluster.p2,
      S,
    );
    expect(S.data[2]).toBe(42);
    // The same mapping: the object that came back is the master's own.
    expect(back).toBe(S);
    await S.close();
  });

  it('a process outside pids that receives S maps it too', async () => {
    const S = await SharedArray.create('int32', [3], { pids: [cluster.p2] });
    await remotecallFetch((S: SharedArray) => S.data.fill(9), cluster.p3, S);
    expect(Array.from(S.data)).toEqual([9, 9, 9]);
    expect(await remotecallFetch((S: SharedArray) => indexpids(S), cluster.p3, S)).toBe(0);
    await S.close();
  });

  it('descriptor() and attach() map it again from plain data, in a worker thread too', async () => {
    const S = await SharedArray.create('float64', [3], { pids: pids() });
    expect(SharedArray.attach(S.descriptor())).toBe(S);
    const mod = new URL('../../dist/src/shared/shared-array.js', import.meta.url).href;
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.mod).then(({ SharedArray }) => {
        const T = SharedArray.attach(workerData.desc);
        T.data[1] = 17;
        parentPort.postMessage(T.size);
      });`;
    const w = new Worker(code, { eval: true, workerData: { mod, desc: S.descriptor() } });
    const size = await new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await w.terminate();
    expect(size).toBe(3);
    expect(S.data[1]).toBe(17);
    await S.close();
    expect(() => SharedArray.attach(S.descriptor())).toThrow(/cannot be mapped on process 1: .*closed/);
  });
  it('threadsFor shares a SharedArray with its threads: each writes its own iterations in place', async () => {
    setThreads(2);
    const S = await SharedArray.create('int32', [8], { pids: pids() });
    await threadsFor(
      [0, 8],
      (i: number, T: SharedArray) => {
        T.data[i] = threadid();
      },
      S,
    );
    // Thread 1 (this one) runs the first half, thread 2 the second, on the same memory.
    expect(Array.from(S.data)).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
    await S.close();
  });
});

describe('bad input gives clear errors', () => {
  it('shape, dtype, options and init', async () => {
    await expect(SharedArray.create('float64', [2, -1])).rejects.toThrow(
      /SharedArray.create: dims: expected an array of non-negative integers/,
    );
    await expect(SharedArray.create('float16' as 'float64', [2])).rejects.toThrow(
      /SharedArray.create: dtype: expected one of float64, float32, int32, uint8, got/,
    );
    await expect(SharedArray.create('float64', [2], { init: 3 as never })).rejects.toThrow(
      /init must be a function/,
    );
    await expect(SharedArray.create('float64', [2], { pids: [] })).rejects.toThrow(
      /pids must be a non-empty array of process ids/,
    );
  });

  it('pids on processes that do not exist', async () => {
    await expect(SharedArray.create('float64', [2], { pids: [cluster.p2, 99] })).rejects.toThrow(
      /pids \[99\] are not processes of the cluster; the processes are \[1, \d+, \d+\]/,
    );
  });

  it('an init that throws frees the array and reports the error', async () => {
    const before = segments().length;
    await expect(
      SharedArray.create('float64', [2], {
        init: () => {
          throw new Error('init failed here');
        },
      }),
    ).rejects.toThrow(/init failed here/);
    expect(segments().length).toBe(before);
  });

  it('a closed SharedArray is refused by its functions', async () => {
    const S = await SharedArray.create('float64', [2], { pids: pids() });
    await S.close();
    expect(() => sdata(S)).toThrow(/was closed; its memory is gone/);
    await expect(remotecallFetch((S: SharedArray) => S.size, cluster.p2, S)).rejects.toThrow(/was closed/);
  });
});

type Counted = { mulCalls?: number };

/** Whether this machine lets us start a process with a /dev/shm of its own (root, unshare -m). */
function canUnshare(): boolean {
  try {
    execFileSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs tmpfs /dev/shm'], {
      stdio: 'ignore',
      timeout: 5000,
    });
    return true;
  } catch {
    return false;
  }
}

describe('processes that do not share /dev/shm', () => {
  // A worker in its own mount namespace with its own tmpfs on /dev/shm: to SharedArray it is on
  // another host, even though it runs on this machine.
  it.skipIf(!canUnshare())(
    'are refused in pids with a clear error, and left out of the default pids',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'darray-shm-ns-'));
      const wrapper = join(dir, 'node-own-shm');
      writeFileSync(
        wrapper,
        `#!/bin/sh\nexec unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs /dev/shm && exec "$0" "$@"' ${process.execPath} "$@"\n`,
      );
      chmodSync(wrapper, 0o755);
      const [away] = (await addprocs(1, { exename: wrapper })) as [number];
      try {
        await expect(SharedArray.create('float64', [4], { pids: [cluster.p2, away] })).rejects.toThrow(
          new RegExp(`processes \\[${away}\\] are on another host than process 1 .* Use a DArray`),
        );
        const S = await SharedArray.create('float64', [4]);
        expect(S.pids).toEqual(pids());
        await S.close();
      } finally {
        await rmprocs(away);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('the array protocol', () => {
  it('broadcast, sum, norm and mul match NDArray; results are SharedArrays', async () => {
    const hA = rand([30, 20], { seed: 1 });
    const hx = rand([20], { seed: 2 });
    const A = await sharedOf(hA);
    const x = await sharedOf(hx);
    const B = await broadcast((a: number) => 2 * a + 1, A);
    expect(B).toBeInstanceOf(SharedArray);
    expect(await isApprox(await collect(B), await broadcast((a: number) => 2 * a + 1, hA))).toBe(true);
    expect(await sum(A)).toBeCloseTo(await sum(hA), 10);
    expect(await norm(A)).toBeCloseTo(await norm(hA), 10);
    const y = await mul(A, x);
    expect(y).toBeInstanceOf(SharedArray);
    expect(await isApprox(await collect(y), await mul(hA, hx))).toBe(true);
    // Mixed with an NDArray.
    expect(await isApprox(await collect(await mul(A, hx)), await mul(hA, hx))).toBe(true);
    for (const S of [A, x, B, y]) await S.close();
  });

  it('a large product is split over the pids by rows, each worker writing its own rows', async () => {
    // Count the CPU products each worker runs.
    await Promise.all(
      pids().map((p) =>
        remotecallFetch(() => {
          const g = globalThis as Counted;
          const k = getKernel('mul', 'cpu');
          g.mulCalls = 0;
          registerKernel('mul', 'cpu', (a, b, out) => {
            g.mulCalls = (g.mulCalls ?? 0) + 1;
            return k(a, b, out);
          });
        }, p),
      ),
    );
    const hA = rand([300, 300], { seed: 3 });
    const hx = rand([300], { seed: 4 });
    const A = await sharedOf(hA);
    const x = await sharedOf(hx);
    const y = await mul(A, x);
    expect(await isApprox(await collect(y), await mul(hA, hx))).toBe(true);
    const calls = await Promise.all(
      pids().map((p) => remotecallFetch(() => (globalThis as Counted).mulCalls, p)),
    );
    expect(calls).toEqual([1, 1]);
    // A large broadcast of SharedArrays is split too, and matches.
    const big = rand([600, 600], { seed: 5 });
    const S = await sharedOf(big);
    const T = await broadcast((a: number, b: number) => a * b - 1, S, S);
    expect(
      await isApprox(await collect(T), await broadcast((a: number, b: number) => a * b - 1, big, big)),
    ).toBe(true);
    for (const s of [A, x, y, S, T]) await s.close();
  });

  it('powerMethod on a SharedArray matches the NDArray result', async () => {
    const h = rand([300, 300], { seed: 6 });
    const hv = rand([300], { seed: 7 });
    const M = await sharedOf(h);
    const v = await sharedOf(hv);
    const [x, lambda] = await powerMethod(M, v, { iters: 30 });
    const [hxr, hl] = await powerMethod(h, hv, { iters: 30 });
    expect(x).toBeInstanceOf(SharedArray);
    expect(lambda).toBeCloseTo(hl, 8);
    expect(await isApprox(await collect(x), hxr, { rtol: 1e-8 })).toBe(true);
    for (const s of [M, v, x]) await (s as SharedArray).close();
  });
});

describe("the manual's advection example", () => {
  // q[i, j, t+1] = q[i, j, t] + u[i, j, t] over chunks of columns j; arrays are row-major here,
  // so element (i, j, t) of an n1×n2×nt array is at (i * n2 + j) * nt + t.
  const [n1, n2, nt] = [6, 8, 5];

  it('advection_shared! split by each worker over its columns equals the serial result', async () => {
    const hu = rand([n1, n2, nt], { seed: 8 });
    const hq = rand([n1, n2, nt], { seed: 9 });
    const serial = Float64Array.from(hq.data as Float64Array);
    for (let t = 0; t < nt - 1; t++)
      for (let j = 0; j < n2; j++)
        for (let i = 0; i < n1; i++) {
          const at = (i * n2 + j) * nt + t;
          serial[at + 1] = (serial[at] as number) + (hu.data[at] as number);
        }
    const q = await sharedOf(hq);
    const u = await sharedOf(hu);
    // Julia's myrange + advection_chunk!: each pid takes its chunk of the columns.
    const chunk = (q: SharedArray, u: SharedArray) => {
      const idx = indexpids(q);
      if (idx === 0) return [0, 0];
      const [a, b, c] = q.shape as [number, number, number];
      const n = q.pids.length;
      const lo = Math.round(((idx - 1) * b) / n);
      const hi = Math.round((idx * b) / n);
      for (let t = 0; t < c - 1; t++)
        for (let j = lo; j < hi; j++)
          for (let i = 0; i < a; i++) {
            const at = (i * b + j) * c + t;
            q.data[at + 1] = (q.data[at] as number) + (u.data[at] as number);
          }
      return [lo, hi];
    };
    const ranges = await Promise.all(q.pids.map((p) => remotecallFetch(chunk, p, q, u)));
    expect(ranges).toEqual([
      [0, 4],
      [4, 8],
    ]);
    expect(Array.from(q.data)).toEqual(Array.from(serial));
    await q.close();
    await u.close();
  });
});

describe('no segment is left behind', () => {
  it('a worker SIGKILLed while holding a SharedArray: the others go on; its own segments are swept', async () => {
    const [p4] = (await addprocs(1)) as [number];
    const S = await SharedArray.create('float64', [4], { pids: pids() });
    // p4 maps S, and makes one of its own that it never closes.
    const [osPid, ownName] = await remotecallFetch(
      async (S: SharedArray) => {
        S.data[0] = 1;
        const mine = await SharedArray.create('float64', [8], { pids: [myid()] });
        (globalThis as { keep?: unknown }).keep = mine;
        return [process.pid, mine.name] as const;
      },
      p4,
      S,
    );
    ours.add(osPid);
    expect(segments()).toContain(ownName);
    process.kill(osPid, 'SIGKILL');
    await waitFor(() => !workers().includes(p4), 5000, 'the killed worker to leave');
    // The others keep working on S.
    await remotecallFetch((S: SharedArray) => S.data.fill(3), cluster.p2, S);
    expect(Array.from(S.data)).toEqual([3, 3, 3, 3]);
    // The dead worker's own segment is removed once it is gone.
    await waitFor(() => !segments().includes(ownName), 5000, "the dead worker's segment to be swept");
    await S.close();
    expect(segments()).toEqual([]);
  });

  it('a worker that exits normally removes the segments it owns', async () => {
    const [p4] = (await addprocs(1)) as [number];
    const [osPid, name] = await remotecallFetch(async () => {
      const mine = await SharedArray.create('int32', [8], { pids: [myid()] });
      (globalThis as { keep?: unknown }).keep = mine;
      return [process.pid, mine.name] as const;
    }, p4);
    ours.add(osPid);
    expect(segments()).toContain(name);
    await rmprocs(p4);
    await waitFor(() => !segments().includes(name), 5000, 'the exiting worker to remove its segment');
  });

  it('temporaries of ops are freed by release (powerMethod leaves only its result)', async () => {
    const M = await sharedOf(
      array([
        [2, 1],
        [1, 1],
      ]),
    );
    const v = await sharedOf(array([1, 0]));
    const [x] = await powerMethod(M, v, { iters: 10 });
    await waitFor(() => segments().length === 3, 5000, 'temporaries to be freed');
    for (const s of [M, v, x as SharedArray]) await s.close();
    expect(segments()).toEqual([]);
  });
});
