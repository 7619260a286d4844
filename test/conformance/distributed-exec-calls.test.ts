/**
 * Distributed.jl test/distributed_exec.jl, ported: remote calls and their errors, what crosses the
 * wire, everywhere() and clear() (lines 388–421, 539–589, 947–1172, 1507–1626 and 1841–1856 of
 * the Julia file). Each test is named after the Julia block it ports and its line; UNMAPPED.md
 * lists the blocks left out.
 */
import { describe, expect, it } from 'vitest';
import {
  CachingPool,
  Channel,
  clear,
  defaultWorkerPool,
  everywhere,
  fetch,
  fetchFrom,
  myid,
  pmap,
  procs,
  RemoteChannel,
  RemoteException,
  remotecall,
  remotecallFetch,
  remotecallWait,
  remoteDo,
  spawn,
  spawnAt,
  WorkerPool,
  workers,
} from '../../src/index.js';
import { waitFor } from '../integration/leaks.js';
import { sleep, useWorkers } from './cluster.js';

declare const new_bar: () => number;
declare const f22865: (p: number) => Promise<number[]>;
declare const i27429: number;
declare const NonexistentModule: { f(): unknown };

const cluster = useWorkers(3);

/** Byte-wise equality of two typed arrays (vitest's deep equality walks millions of elements slowly). */
function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return (
    a.constructor === b.constructor &&
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
      Buffer.from(b.buffer, b.byteOffset, b.byteLength),
    )
  );
}
const idMe = () => myid();
const idOther = () => cluster.pids[0] as number;

describe('what crosses the wire', () => {
  it('distributed_exec.jl:388 a large numeric array goes to a worker and back unchanged', async () => {
    const a = new Float64Array(1_000_000).fill(1);
    expect(sameBytes(await remotecallFetch((x: Float64Array) => x, idOther(), a), a)).toBe(true);
  });

  it('distributed_exec.jl:393 an array of many short strings goes to a worker and back unchanged', async () => {
    const s = Array.from({ length: 100_000 }, () => Math.random().toString(36).slice(2, 10));
    const back = await remotecallFetch((x: string[]) => x, idOther(), s);
    expect(back).toHaveLength(s.length);
    expect(back.join('\n')).toBe(s.join('\n'));
  });

  it('distributed_exec.jl:398 many small requests in a row', async () => {
    // Julia sends 10^4; a few thousand keep the file fast on a 2-core CI machine.
    const n = 3000;
    const got: number[] = [];
    for (let i = 0; i < n; i++) got.push(await remotecallFetch(() => myid(), idOther()));
    expect(got).toEqual(new Array(n).fill(idOther()));
  });

  it('distributed_exec.jl:401 ten tasks sending large arrays to one worker at once', async () => {
    const task = async () => {
      for (let i = 0; i < 10; i++) {
        const a = new Float64Array(200_000).map(() => Math.random());
        expect(sameBytes(await remotecallFetch((x: Float64Array) => x, idOther(), a), a)).toBe(true);
      }
      return 'OK';
    };
    const results = await Promise.all(Array.from({ length: 10 }, task));
    expect(results).toEqual(new Array(10).fill('OK'));
  });

  it('distributed_exec.jl:1011 (#15451) a function that calls a closure it makes', async () => {
    expect(
      await remotecallFetch((x: number) => ((y: number) => 2 * y)(x) + 1, workers()[0] as number, 3),
    ).toBe(7);
  });

  it('distributed_exec.jl:1044 (#16091) a function keeps its own body wherever it is sent', async () => {
    const f16091c = () => 1;
    expect(await remotecallFetch(f16091c, workers()[0] as number)).toBe(1);
    // The worker's own local function of the same name, sent back here, runs its own body.
    const back = await remotecallFetch(
      (me: number) => {
        const f16091c = () => 2;
        return remotecallFetch(f16091c, me);
      },
      workers()[0] as number,
      myid(),
    );
    expect(back).toBe(2);
  });

  it('distributed_exec.jl:1070 a worker calls another worker with an API function as the function', async () => {
    const [w1, w2] = [workers()[0] as number, workers().at(-1) as number];
    expect(await remotecallFetch((p: number) => remotecallFetch(myid, p), w1, w2)).toBe(w2);
  });

  it('distributed_exec.jl:1076 a function passed as an argument is called from a worker on another worker', async () => {
    const [w1, w2] = [workers()[0] as number, workers().at(-1) as number];
    const fMyid = () => myid();
    expect(await remotecallFetch(fMyid, w1)).toBe(w1);
    expect(await remotecallFetch(fMyid, w2)).toBe(w2);
    expect(await remotecallFetch((f: () => number, p: number) => remotecallFetch(f, p), w1, fMyid, w2)).toBe(
      w2,
    );
  });

  it('distributed_exec.jl:1082 a call that fails to resolve a name leaves the connection usable', async () => {
    // darray refuses the call before sending it (Julia fails on the worker); either way the
    // error names what is missing and the next calls go through.
    const badThunk = () => NonexistentModule.f();
    await expect(remotecallFetch(badThunk, 2)).rejects.toThrow(/NonexistentModule/);
    expect(await remotecallFetch(() => 'test', 2)).toBe('test');
    await expect((async () => fetch(remotecall(badThunk, 2)))()).rejects.toThrow(/NonexistentModule/);
  });

  it('distributed_exec.jl:1507 (#2669, #5390) spawn on any worker with a value passed in', async () => {
    expect(await fetch(spawn((v: number) => 1 + v, 10))).toBe(11);
  });

  it('distributed_exec.jl:1512 (#12367) a spawned call on every process waits for its own tasks', async () => {
    const refs = procs().map((p) =>
      spawnAt(p, async () => {
        await Promise.all(Array.from({ length: 10 }, async () => undefined));
      }),
    );
    for (const r of refs) await r.wait();
    for (const r of refs) await r.fetch();
  });

  it('distributed_exec.jl:1547 (#34333) a built-in constructor as the function', async () => {
    expect(await fetch(remotecall(Number, idOther(), '1'))).toBe(1);
    expect(await fetch(await remotecallWait(Number, idOther(), '1'))).toBe(1);
    expect(await remotecallFetch(Number, idOther(), '1')).toBe(1);
  });

  it('distributed_exec.jl:1554 (#19463) calls nested through three workers', async () => {
    const [w1, w2, w3] = workers() as [number, number, number];
    const b4 = () =>
      fetch(
        spawnAt(
          w3,
          (w1: number, w2: number) =>
            fetch(spawnAt(w2, (w1: number) => fetch(spawnAt(w1, () => 1)).then((v) => v + 1), w1)).then(
              (v) => v + 1,
            ),
          w1,
          w2,
        ),
      ).then((v) => v + 1);
    expect(await b4()).toBe(4);
  });
});

describe('errors', () => {
  const throwsFoobar = () => {
    throw new Error('foobar');
  };
  for (const [who, pid] of [
    ['another process', idOther],
    ['this process', idMe],
  ] as const) {
    for (const [form, call] of [
      ['remotecallFetch', (p: number) => remotecallFetch(throwsFoobar, p)],
      ['remotecallWait', (p: number) => remotecallWait(throwsFoobar, p)],
      [
        'wait(remotecall)',
        (p: number) => {
          // The Future stays the caller's after a failed wait (Julia frees it when collected): free it here.
          const f = remotecall(throwsFoobar, p);
          return f.wait().finally(() => f.finalize());
        },
      ],
    ] as const) {
      it(`distributed_exec.jl:539 ${form} on ${who} throws the remote error as a RemoteException`, async () => {
        const ex = await call(pid()).then(
          () => new Error('unexpected'),
          (e: unknown) => e,
        );
        expect(ex).toBeInstanceOf(RemoteException);
        const re = ex as RemoteException;
        expect(re.captured.name).toBe('Error');
        expect(re.captured.message).toBe('foobar');
      });
    }
  }

  it('distributed_exec.jl:570 the remote stack names the function that threw', async () => {
    const ex = await remotecallFetch(() => {
      function foo(): never {
        throw new Error('A.error');
      }
      foo();
    }, idOther()).catch((e: unknown) => e);
    expect(ex).toBeInstanceOf(RemoteException);
    const re = ex as RemoteException;
    expect(re.pid).toBe(idOther());
    expect(re.captured.message).toBe('A.error');
    const frames = re.captured.stack.split('\n').filter((l) => l.trim().startsWith('at '));
    expect(frames.length).toBeGreaterThan(1);
    expect(frames[0]).toMatch(/\bfoo\b/);
  });

  it('distributed_exec.jl:1016 (#16091) a function using a name not defined on the workers is refused, naming it', async () => {
    class T16091 {}
    await expect(remotecallFetch(() => T16091, workers()[0] as number)).rejects.toThrow(/T16091/);
    // A class is not data: it cannot be sent as an argument either.
    await expect(remotecallFetch((x: unknown) => x, workers()[0] as number, T16091)).rejects.toThrow(
      /cannot be sent/,
    );
  });

  it('distributed_exec.jl:1535 the printed remote exception carries the remote message', async () => {
    const e = await remotecallFetch((n: number) => new Array(n), 2, -1).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RemoteException);
    expect(String(e)).toMatch(/Invalid array length/);
  });

  it('distributed_exec.jl:1610 an error of a class the caller does not know still arrives readable', async () => {
    const e = await remotecallFetch(() => {
      class DontExistOn1 extends Error {
        override name = 'DontExistOn1';
      }
      throw new DontExistOn1('bounds');
    }, idOther()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RemoteException);
    expect((e as RemoteException).captured.name).toBe('DontExistOn1');
    expect((e as RemoteException).captured.message).toBe('bounds');
  });

  it('distributed_exec.jl:1841 (#35937) an error thrown in a nested task of a pmap item shows its value', async () => {
    const e = await pmap(async () => {
      await (async () => {
        throw 42;
      })();
    }, [1]).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RemoteException);
    expect(String((e as RemoteException).message)).toMatch(/\b42\b/);
  });
});

describe('argument forms of the remote calls', () => {
  // Julia's f_args(v1, v2=0; kw1=0, kw2=0): keywords become an options object.
  const fArgs = (v1: number, v2 = 0, kw: { kw1?: number; kw2?: number } = {}) =>
    v1 + v2 + (kw.kw1 ?? 0) + (kw.kw2 ?? 0);
  const cases: [number, Parameters<typeof fArgs>][] = [
    [1, [1]],
    [3, [1, 2]],
    [5, [1, undefined, { kw1: 4 }]],
    [13, [1, undefined, { kw1: 4, kw2: 8 }]],
    [15, [1, 2, { kw1: 4, kw2: 8 }]],
  ];
  for (const [who, target] of [
    ['another process', () => idOther()],
    ['this process', () => idMe()],
    ['the default worker pool', () => defaultWorkerPool()],
  ] as const) {
    it(`distributed_exec.jl:947 remotecall, remotecallWait, remotecallFetch and remoteDo on ${who} with positional and optional arguments`, async () => {
      for (const [result, args] of cases) {
        expect(await fetch(remotecall(fArgs, target(), ...args))).toBe(result);
        expect(await fetch(await remotecallWait(fArgs, target(), ...args))).toBe(result);
        expect(await remotecallFetch(fArgs, target(), ...args)).toBe(result);
        remoteDo(fArgs, target(), ...args);
      }
    });
  }
});

describe('pools and remote calls', () => {
  for (const [name, Pool] of [
    ['WorkerPool', WorkerPool],
    ['CachingPool', CachingPool],
  ] as const) {
    it(`distributed_exec.jl:1100 remotecall on a ${name} keeps the worker out of the pool until the call ends`, async () => {
      const w = workers()[0] as number;
      const remotechan = new RemoteChannel(() => new Channel<number>(1), w);
      const pool = new Pool([w]);
      const putFuture = remotecall((c: RemoteChannel<number>) => c.wait(), pool, remotechan);
      await sleep(50);
      expect(pool.isReady()).toBe(false);
      await remotechan.put(1);
      await putFuture.wait();
      await waitFor(() => pool.isReady(), 10_000, 'the worker to return to the pool');
      await putFuture.fetch();
      if (pool instanceof CachingPool) await pool.clear();
      remotechan.finalize();
    });
  }
});

describe('everywhere and clear', () => {
  it('distributed_exec.jl:1117 a function defined everywhere from a nested scope is callable on every process', async () => {
    await everywhere(() => {
      (globalThis as Record<string, unknown>).new_bar = () => myid();
    });
    for (const p of procs()) expect(await remotecallFetch(() => new_bar(), p)).toBe(p);
    await clear('new_bar', procs());
  });

  it('distributed_exec.jl:1127 (#22589) everywhere on one process returns its value; on a list, runs once per entry', async () => {
    const [p, p2] = procs().filter((x) => x !== myid()) as [number, number];
    const one = (fn: () => unknown, pid: number) =>
      (everywhere as unknown as (f: () => unknown, o: { procs: number }) => Promise<unknown>)(fn, {
        procs: pid,
      });
    type G = Record<string, unknown> & { defined_on_p: number; ref22589: number };
    expect(await one(() => myid() + 1, myid())).toBe(myid() + 1);
    expect(await one(() => myid() * 2, p)).toBe(p * 2);
    expect(
      await one(() => {
        (globalThis as unknown as G).defined_on_p = 1;
        return 1;
      }, p),
    ).toBe(1);
    expect('defined_on_p' in globalThis).toBe(false);
    expect(await remotecallFetch(() => 'defined_on_p' in globalThis, p)).toBe(true);
    expect(await remotecallFetch(() => 'defined_on_p' in globalThis, p2)).toBe(false);
    expect(
      await everywhere(
        () => {
          (globalThis as unknown as G).defined_on_p += 1;
        },
        { procs: [p, p] },
      ),
    ).toBeUndefined();
    expect(await one(() => (globalThis as unknown as G).defined_on_p, p)).toBe(3);
    (globalThis as unknown as G).ref22589 = 0;
    await everywhere(
      () => {
        const g = globalThis as unknown as G;
        g.ref22589 = (g.ref22589 ?? 0) + 1;
      },
      { procs: [myid(), p, myid(), myid(), p] },
    );
    expect((globalThis as unknown as G).ref22589).toBe(3);
    await clear(['defined_on_p', 'ref22589'], procs());
  });

  const throwOn = async (targets: number | number[], msg: string): Promise<unknown> => {
    const fn = new Function(`throw new Error(${JSON.stringify(msg)})`) as () => never;
    return (everywhere as unknown as (f: () => unknown, o: { procs: number | number[] }) => Promise<unknown>)(
      fn,
      { procs: targets },
    ).then(
      () => new Error('test failed to throw'),
      (e: unknown) => e,
    );
  };

  it('distributed_exec.jl:1168 everywhere on one process throws that process error as a RemoteException', async () => {
    const p = idOther();
    for (const [target, msg] of [
      [p, 'everywhere on p'],
      [myid(), 'everywhere on myid'],
    ] as const) {
      const e = await throwOn(target, msg);
      expect(e).toBeInstanceOf(RemoteException);
      expect((e as RemoteException).pid).toBe(target);
      expect((e as RemoteException).captured.message).toBe(msg);
    }
  });

  it('distributed_exec.jl:1170 everywhere on several processes reports every process error, in order', async () => {
    const [p, p2] = procs().filter((x) => x !== myid()) as [number, number];
    for (const [targets, msg] of [
      [[p, myid()], 'everywhere on myid and p'],
      [[p2, p], 'everywhere on p and p2'],
    ] as const) {
      const e = await throwOn([...targets], msg);
      expect(e).toBeInstanceOf(AggregateError);
      const errors = (e as AggregateError).errors as RemoteException[];
      expect(errors).toHaveLength(targets.length);
      for (const [i, pid] of targets.entries()) {
        expect(errors[i]?.captured.message).toBe(msg);
        if (pid !== myid()) expect(errors[i]?.pid).toBe(pid);
      }
    }
  });

  // setup_syms/test_clear: names defined on this process and the workers, then cleared remotely.
  const defineEverywhere = async (names: string[]) => {
    for (const n of names) {
      const value = Math.random();
      const setter = new Function('v', `globalThis[${JSON.stringify(n)}] = v;`) as (v: number) => void;
      for (const p of procs()) await remotecallFetch(setter, p, value);
    }
  };
  const readOn = (name: string, p: number) =>
    remotecallFetch((n: string) => (globalThis as Record<string, unknown>)[n], p, name);

  for (const [label, count, pids] of [
    ['one name on one process', 1, () => idOther()],
    ['one name on every worker', 1, () => workers()],
    ['three names on one process', 3, () => idOther()],
    ['three names on every worker', 3, () => workers()],
  ] as const) {
    it(`distributed_exec.jl:1568 clear drops ${label}`, async () => {
      const names = Array.from(
        { length: count },
        (_, i) => `clrtest${i}${Math.random().toString(36).slice(2, 8)}`,
      );
      await defineEverywhere(names);
      const target = pids();
      const list = Array.isArray(target) ? target : [target];
      try {
        await (clear as unknown as (n: string | string[], p: number | number[]) => Promise<void>)(
          count === 1 ? (names[0] as string) : names,
          target,
        );
        for (const p of list) {
          for (const n of names) {
            expect(await readOn(n, p)).toBeUndefined();
            expect((globalThis as Record<string, unknown>)[n]).toBeTypeOf('number');
          }
        }
      } finally {
        await clear(names, procs());
      }
    });
  }

  it('distributed_exec.jl:1852 (#27429) a module loaded everywhere by a relative path is usable on every process', async () => {
    await everywhere('./test/conformance/fixtures/includefile.mjs');
    for (const p of procs()) expect(await fetchFrom(p, () => i27429)).toBe(27429);
    await clear('i27429', procs());
  });

  it('distributed_exec.jl:1741 (#22865) a function defined everywhere calls another worker', async () => {
    const [w1, w2] = workers() as [number, number];
    await everywhere(() => {
      (globalThis as Record<string, unknown>).f22865 = (p: number) =>
        remotecallFetch((x: number[]) => x.map((v) => v * 2), p, [1, 1]);
    });
    expect(await remotecallFetch((p: number) => f22865(p), w1, w2)).toEqual([2, 2]);
    await clear('f22865', procs());
  });
});
