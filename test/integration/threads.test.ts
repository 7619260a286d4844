/**
 * threadsFor, Atomic, nthreads and threadid on real worker_threads, following the multi-threading
 * section of the manual: the threadid fill, the atomic example, the sum race with and without
 * Atomic, bad input, failing threads, and loops inside a worker process.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ArgumentError,
  Atomic,
  addprocs,
  CompositeException,
  everywhere,
  myid,
  nthreads,
  registerThreadTransfer,
  remotecallFetch,
  rmprocs,
  setThreads,
  ThreadException,
  type ThreadTransfer,
  threadid,
  threadsFor,
} from '../../src/index.js';
import { poolThreadCount, stopThreads } from '../../src/threads/pool.js';
import { removeAllAndCheck } from './leaks.js';

declare const triple: (x: number) => number;

const shared = (n: number) => new Float64Array(new SharedArrayBuffer(8 * n));

beforeAll(() => setThreads(4));
afterAll(async () => {
  await stopThreads();
  expect(poolThreadCount()).toBe(0);
});

describe('threadsFor on this process', () => {
  it('fills an array with threadid(), chunk k on thread k, as in the manual', async () => {
    expect(nthreads()).toBe(4);
    expect(threadid()).toBe(1);
    const a = shared(10);
    await threadsFor(
      [0, 10],
      (i, a) => {
        a[i] = threadid();
      },
      a,
    );
    expect([...a]).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 4, 4]);
    // Half-open and offset ranges, fewer iterations than threads.
    const b = shared(8);
    await threadsFor(
      [5, 7],
      (i, b) => {
        b[i] = threadid();
      },
      b,
    );
    expect([...b]).toEqual([0, 0, 0, 0, 0, 1, 2, 0]);
  });

  it('the atomic example: every old value returned once, the total exact', async () => {
    const i = new Atomic('int32', 0);
    const ids = shared(4);
    const olds = shared(4);
    await threadsFor(
      [0, 4],
      (k, i, ids, olds) => {
        olds[k] = i.add(k + 1);
        ids[k] = k + 1;
      },
      i,
      ids,
      olds,
    );
    expect([...ids]).toEqual([1, 2, 3, 4]);
    expect(i.load()).toBe(10);
    // Each add saw the sum of the adds before it: distinct values from 0 up to 9.
    expect(new Set(olds).size).toBe(4);
    expect(Math.max(...olds)).toBeLessThan(10);
  });

  it('the sum race: a plain += may lose updates, Atomic.add never does', async () => {
    const n = 400_000;
    const plain = new Int32Array(new SharedArrayBuffer(4));
    const acc = new Atomic('int32', 0);
    await threadsFor(
      [0, n],
      (_i, plain, acc) => {
        plain[0] = (plain[0] ?? 0) + 1;
        acc.add(1);
      },
      plain,
      acc,
    );
    expect(acc.load()).toBe(n);
    // Lost updates depend on timing; only the bound is certain.
    expect(plain[0]).toBeLessThanOrEqual(n);
    expect(plain[0]).toBeGreaterThan(0);
  });

  it('float64 Atomics stay exact across threads (add, and a cas retry loop)', async () => {
    const f = new Atomic('float64', 0);
    const m = new Atomic('float64', -Infinity);
    await threadsFor(
      [0, 40_000],
      (i, f, m) => {
        f.add(0.5);
        // atomic max through cas, as Julia code builds it from atomic_cas!
        let old = m.load();
        while (old < i) {
          const seen = m.cas(old, i);
          if (seen === old) break;
          old = seen;
        }
      },
      f,
      m,
    );
    expect(f.load()).toBe(20_000);
    expect(m.load()).toBe(39_999);
  });

  it('shares SharedArrayBuffer arrays, copies other arguments, and ships function arguments', async () => {
    const out = shared(8);
    const local = new Float64Array(8);
    const cfg = { scale: 3 };
    await threadsFor(
      [0, 8],
      (i, out, local, cfg, f) => {
        local[i] = 1;
        out[i] = f(i) * cfg.scale + local.reduce((s: number, x: number) => s + x, 0) * 0;
      },
      out,
      local,
      cfg,
      (x: number) => x + 1,
    );
    expect([...out]).toEqual([3, 6, 9, 12, 15, 18, 21, 24]);
    expect([...local]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('the body sees the API and everywhere() exports by name', async () => {
    await everywhere('./test/fixtures/mathmod.mjs', { procs: myid() });
    const out = shared(12);
    await threadsFor(
      [0, 4],
      (i, out) => {
        out[3 * i] = myid();
        out[3 * i + 1] = nthreads();
        out[3 * i + 2] = triple(i);
      },
      out,
    );
    expect([...out]).toEqual([1, 4, 0, 1, 4, 3, 1, 4, 6, 1, 4, 9]);
  });

  it('a nested threadsFor runs serially on the thread that calls it', async () => {
    const out = shared(8);
    await threadsFor(
      [0, 4],
      async (i, out) => {
        await threadsFor(
          [0, 2],
          (j, out, i) => {
            out[2 * i + j] = threadid();
          },
          out,
          i,
        );
      },
      out,
    );
    expect([...out]).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
  });

  it('loops run one after another when started together', async () => {
    const a = new Atomic('int32', 0);
    const order = shared(2);
    await Promise.all(
      [0, 1].map((k) =>
        threadsFor(
          [0, 4000],
          (_i, a, order, k) => {
            if (a.add(1) === 3999) order[k] = 1;
          },
          a,
          order,
          k,
        ),
      ),
    );
    // The first loop's last add brings the count to 4000 before the second starts.
    expect([...order]).toEqual([1, 0]);
    expect(a.load()).toBe(8000);
  });
});

describe('threadsFor errors', () => {
  it('refuses a bad range, a non-function body, a captured local and an unclonable argument', () => {
    const body = (i: number) => i;
    for (const bad of [[0], [3, 1], [0, 1.5], '0:10', null] as unknown as [number, number][]) {
      expect(() => threadsFor(bad, body)).toThrow(ArgumentError);
      expect(() => threadsFor(bad, body)).toThrow(/threadsFor: expected a half-open range \[start, end\)/);
    }
    expect(() => threadsFor([0, 4], 42 as unknown as () => void)).toThrow(
      /threadsFor: the body must be a function .* got number 42/,
    );
    const captured = 5;
    expect(() => threadsFor([0, 4], (i) => i + captured)).toThrow(
      /threadsFor: the body uses 'captured' from its enclosing scope.*Pass it as an argument/,
    );
    expect(() => threadsFor([0, 4], (i, o) => i + o.x, { x: 1, f: Symbol('s') })).toThrow(
      /threadsFor: argument 1 \(an object of type Object\) cannot be sent to a thread/,
    );
    expect(() => setThreads(0)).toThrow(
      /setThreads: expected a whole number of threads from 1 to 1024, got number 0/,
    );
    expect(() => setThreads(2.5)).toThrow(ArgumentError);
  });

  it('a thread that throws rejects the loop with a ThreadException naming it; the pool goes on', async () => {
    const err = await threadsFor([0, 8], (i) => {
      if (i === 5) throw new RangeError('bad index');
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ThreadException);
    const t = err as ThreadException;
    expect([t.threadid, t.iteration, t.captured.name]).toEqual([3, 5, 'RangeError']);
    expect(t.message).toBe('on thread 3, iteration 5: RangeError: bad index');
    expect(t.stack).toContain('bad index');
    const a = shared(4);
    await threadsFor(
      [0, 4],
      (i, a) => {
        a[i] = i;
      },
      a,
    );
    expect([...a]).toEqual([0, 1, 2, 3]);
  });

  it('several failing threads give a CompositeException, one per thread in order', async () => {
    const err = await threadsFor([0, 8], (i) => {
      if (i % 4 === 1) throw new Error(`no ${i}`);
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompositeException);
    const errors = (err as CompositeException).errors as ThreadException[];
    expect(errors.map((e) => [e.threadid, e.iteration])).toEqual([
      [1, 1],
      [3, 5],
    ]);
    expect((err as Error).message).toMatch(/^threadsFor failed on 2 threads:/);
  });

  it('a thread that exits fails its chunk, and is replaced on the next loop', async () => {
    const err = await threadsFor([0, 4], (i) => {
      if (i === 3) process.exit(7);
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ThreadException);
    expect((err as ThreadException).message).toMatch(/on thread 4: Error: thread 4 exited \(code 7\)/);
    const a = shared(4);
    await threadsFor(
      [0, 4],
      (i, a) => {
        a[i] = threadid();
      },
      a,
    );
    expect([...a]).toEqual([1, 2, 3, 4]);
  });
});

describe('threads and processes', () => {
  afterAll(removeAllAndCheck);

  it('a worker has one thread by default (DARRAY_THREADS), and setThreads changes it there', async () => {
    const [p] = (await addprocs(1)) as [number];
    const fill = async (n: number) => {
      const a = new Float64Array(new SharedArrayBuffer(8 * n));
      await threadsFor(
        [0, n],
        (i, a) => {
          a[i] = 10 * myid() + threadid();
        },
        a,
      );
      return [nthreads(), ...a];
    };
    expect(await remotecallFetch(fill, p, 4)).toEqual([1, 21, 21, 21, 21]);
    await remotecallFetch(() => setThreads(2), p);
    expect(await remotecallFetch(fill, p, 4)).toEqual([2, 21, 21, 22, 22]);
    await rmprocs(p);
    const [q] = (await addprocs(1, { env: { DARRAY_THREADS: '3' } })) as [number];
    expect(await remotecallFetch(() => nthreads(), q)).toBe(3);
  });

  it('a script stays alive while a loop runs on warm threads, and exits once they are idle', () => {
    const entry = new URL('../../dist/src/index.js', import.meta.url).href;
    // The second loop finds the threads started (and unref'd): the one it waits on must be ref'd.
    const script = `const d = await import(${JSON.stringify(entry)}); d.setThreads(3);
      const a = new Int32Array(new SharedArrayBuffer(12));
      await d.threadsFor([0, 3], (i, a) => { a[i] = threadid() }, a);
      await d.threadsFor([0, 3], (i, a) => { if (i === 2) Atomics.wait(a, 2, a[2], 300); a[i] += 10 }, a);
      console.log([...a].join(','));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(out.trim()).toBe('11,12,13');
  });
});

describe('registerThreadTransfer', () => {
  it('a kind registered by a module that everywhere() loads reaches the threads as itself', () => {
    const dir = mkdtempSync(join(tmpdir(), 'darray-threads-'));
    const entry = new URL('../../dist/src/index.js', import.meta.url).href;
    try {
      writeFileSync(
        join(dir, 'point.mjs'),
        `import { registerThreadTransfer } from ${JSON.stringify(entry)};
        export class Point { constructor(x, y) { this.x = x; this.y = y; } norm1() { return Math.abs(this.x) + Math.abs(this.y); } }
        registerThreadTransfer({ name: 'Point', test: (v) => v instanceof Point,
          encode: (p) => [p.x, p.y], decode: ([x, y]) => new Point(x, y) });`,
      );
      const script = `const d = await import(${JSON.stringify(entry)}); d.setThreads(3);
        await d.everywhere(${JSON.stringify(join(dir, 'point.mjs'))}, { procs: 1 });
        const { Point } = await import(${JSON.stringify(pathToFileURL(join(dir, 'point.mjs')).href)});
        const out = new Float64Array(new SharedArrayBuffer(24));
        await d.threadsFor([0, 3], (i, p, out) => { out[i] = p.norm1() * threadid() }, new Point(3, -4), out);
        console.log([...out].join(','));`;
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(out.trim()).toBe('7,14,21');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a transfer without its functions, or a name already taken', () => {
    expect(() => registerThreadTransfer({ name: 'x' } as unknown as ThreadTransfer)).toThrow(
      /registerThreadTransfer: expected \{ name, test, encode, decode \}/,
    );
    const t = { name: 'Atomic', test: () => false, encode: (v: unknown) => v, decode: (v: unknown) => v };
    expect(() => registerThreadTransfer(t)).toThrow(/a transfer named 'Atomic' is already registered/);
  });
});
