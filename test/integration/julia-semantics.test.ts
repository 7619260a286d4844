/**
 * Remote calls, Futures, channels and everywhere behaving as Julia's Distributed does, including
 * the corners found by hardening: throws that cannot be described, unhandled rejections on
 * workers, functions passed by reference, the distributed refcount of forwarded Futures, and
 * calls a process makes to itself.
 */
import { spawn } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  ArgumentError,
  addprocs,
  Channel,
  CompositeException,
  clear,
  everywhere,
  Future,
  myid,
  RemoteChannel,
  RemoteException,
  remotecall,
  remotecallFetch,
  remotecallWait,
  remoteRefCount,
  rmprocs,
  take,
  workers,
} from '../../src/index.js';
import { removeAllAndCheck, waitFor, waitUntil } from './leaks.js';
import { useTwoWorkers } from './two-workers.js';

// Names a worker sees without importing them; this file deliberately does not import them, so a
// call to this process only finds them if it runs in the same scope as on a worker.
declare function procs(): number[];
declare function nworkers(): number;
declare const triple: (x: number) => number;

const fixtures = new URL('../fixtures/', import.meta.url);

describe('lazy: false', () => {
  afterAll(removeAllAndCheck);

  it('builds the whole mesh before addprocs returns', async () => {
    const pids = await addprocs(3, { lazy: false });
    const url = new URL('conns.mjs', fixtures).href;
    for (const p of pids) {
      const peers = await remotecallFetch(
        async (u: string) => ((await import(u)) as { connectedPeers: () => number[] }).connectedPeers(),
        p,
        url,
      );
      expect(peers).toEqual([1, ...pids].filter((q) => q !== p));
    }
  });

  it('refuses workers added with another lazy setting than the cluster has', async () => {
    await expect(addprocs(1, { lazy: true })).rejects.toThrow(ArgumentError);
    await expect(addprocs(1, { lazy: true })).rejects.toThrow(/lazy: false.*got lazy: true.*rmprocs/);
    await rmprocs(workers());
    // Once every worker is gone, the setting may change.
    const [p] = await addprocs(1, { lazy: true });
    expect(p).toBeDefined();
  });
});

describe('with two workers', () => {
  const w = useTwoWorkers();

  describe('throws and rejections', () => {
    it('a throw whose message, toJSON or toString throws arrives as a RemoteException', async () => {
      const badMessage = () => {
        const e = new Error('hidden');
        Object.defineProperty(e, 'message', {
          get() {
            throw new Error('no message for you');
          },
        });
        throw e;
      };
      const err = await remotecallFetch(badMessage, w.p2).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RemoteException);
      expect((err as RemoteException).captured.message).toMatch(/could not be read.*no message for you/);

      const badValue = () => {
        throw {
          toJSON() {
            throw new Error('no JSON');
          },
          toString() {
            throw new Error('no text');
          },
        };
      };
      const err2 = await remotecallFetch(badValue, w.p2).catch((e: unknown) => e);
      expect(err2).toBeInstanceOf(RemoteException);
      expect((err2 as RemoteException).captured.message).toMatch(/non-Error value thrown: \[object Object\]/);
      const badProxy = () => {
        throw new Proxy(
          {},
          {
            getPrototypeOf() {
              throw new Error('no prototype');
            },
          },
        );
      };
      const err3 = await remotecallFetch(badProxy, w.p2).catch((e: unknown) => e);
      expect(err3).toBeInstanceOf(RemoteException);
      // The worker survived them all.
      expect(await remotecallFetch(() => myid(), w.p2)).toBe(w.p2);
    }, 10_000);

    describe('an unhandled rejection on a worker', () => {
      afterEach(() => vi.restoreAllMocks());

      it('is logged once with the worker id, and the worker keeps serving', async () => {
        // A spy that calls through: the relayed worker output still reaches stderr.
        const spy = vi.spyOn(process.stderr, 'write');
        const lines = () => spy.mock.calls.map((c) => String(c[0]));
        const r = await remotecallFetch(() => {
          void Promise.reject(new Error('nobody awaits this'));
          return 'returned';
        }, w.p3);
        expect(r).toBe('returned');
        const expected = `From worker ${w.p3}:\tdarray: unhandled error in a task on worker ${w.p3}: Error: nobody awaits this`;
        await waitFor(() => lines().some((l) => l.startsWith(expected)), 5000, 'the log line');
        expect(
          lines().filter((l) => l.includes('nobody awaits this') && l.includes('unhandled')),
        ).toHaveLength(1);
        expect(await remotecallFetch(() => myid(), w.p3)).toBe(w.p3);
      });
    });
  });

  describe('bad input', () => {
    it('a class passed as the function is refused with an ArgumentError that says how to fix it', async () => {
      class Point {}
      for (const pid of [w.p2, myid()]) {
        expect(() => remotecall(Point as unknown as () => unknown, pid)).toThrow(ArgumentError);
        await expect(remotecallFetch(Point as unknown as () => unknown, pid)).rejects.toThrow(
          /expected a function, got the class Point.*new Point/,
        );
      }
    });
  });

  describe('calls to this process', () => {
    it('see the same scope as on a worker: the API and everywhere exports', async () => {
      expect(await remotecallFetch(() => procs(), myid())).toEqual([1, w.p2, w.p3]);
      expect(await remotecall(() => nworkers(), myid()).fetch()).toBe(2);
      await everywhere('./test/fixtures/mathmod.mjs');
      expect(await remotecallFetch(() => triple(5), myid())).toBe(15);
      expect(await remotecallFetch(() => triple(5), w.p2)).toBe(15);
    });

    for (const mode of ['pingpong', 'darray']) {
      it(`a standalone script awaiting one at top level prints and exits 0 (${mode})`, async () => {
        const script = new URL('local-call.mjs', fixtures).pathname;
        const child = spawn(process.execPath, [script, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString();
        });
        const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
        expect({ code, out: out.trim() }).toEqual({
          code: 0,
          out: JSON.stringify({ result: mode === 'pingpong' ? 42 : 21 }),
        });
      });
    }
  });

  describe('function cache', () => {
    it('clear() and everywhere(module) leave callers able to send a function by hash', async () => {
      const f = (x: number) => x + 1;
      expect(await remotecallFetch(f, w.p2, 1)).toBe(2);
      await clear('nothingDefined', w.p2);
      expect(await remotecallFetch(f, w.p2, 2)).toBe(3);
      await everywhere('./test/fixtures/mathmod.mjs', { procs: w.p2 });
      expect(await remotecallFetch(f, w.p2, 3)).toBe(4);
    });
  });

  describe('Futures', () => {
    it('a Future forwarded to another worker while being fetched stays alive for it (Julia #23109)', async () => {
      const f = remotecall(() => 42, w.p2);
      await f.wait();
      const [here, there] = await Promise.all([
        f.fetch(),
        remotecallFetch((g: Future<number>) => g.fetch(), w.p3, f),
      ]);
      expect([here, there]).toEqual([42, 42]);
      await waitUntil(async () => (await remotecallFetch(() => remoteRefCount(), w.p2)) === 0);
    });

    it('remotecallWait rejects with RemoteException when the call throws, remotely and locally', async () => {
      for (const pid of [w.p2, myid()]) {
        const err = await remotecallWait(() => {
          throw new RangeError('failed on purpose');
        }, pid).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(RemoteException);
        expect((err as RemoteException).captured.name).toBe('RangeError');
        expect((err as RemoteException).pid).toBe(pid);
      }
      // The failed result is not kept for a Future nobody got.
      await waitUntil(async () => (await remotecallFetch(() => remoteRefCount(), w.p2)) === 0);
    });

    it('isReady is true after fetch, for values and for errors, and the error is fetched again', async () => {
      for (const pid of [w.p2, myid()]) {
        const ok = remotecall(() => 1, pid);
        await ok.fetch();
        expect(await ok.isReady()).toBe(true);
        const bad = remotecall(() => {
          throw new Error('bad');
        }, pid);
        await expect(bad.fetch()).rejects.toBeInstanceOf(RemoteException);
        expect(await bad.isReady()).toBe(true);
        await expect(bad.fetch()).rejects.toThrow(/bad/);
      }
    });

    it('put caches the value and releases the owner copy, for a Future owned here or elsewhere', async () => {
      const before = remoteRefCount();
      const local = new Future<number>();
      await local.put(5);
      expect(local.isCached).toBe(true);
      expect(remoteRefCount()).toBe(before);
      expect(await local.fetch()).toBe(5);

      const remote = new Future<string>(w.p2);
      expect(await remote.isReady()).toBe(false);
      expect(await remotecallFetch(() => remoteRefCount(), w.p2)).toBe(1);
      await remote.put('OK');
      expect(remote.isCached).toBe(true);
      expect(await remotecallFetch(() => remoteRefCount(), w.p2)).toBe(0);
      expect(await remote.fetch()).toBe('OK');
    });
  });

  describe('RemoteChannel', () => {
    it('put copies the value at once, unbuffered or buffered', async () => {
      const unbuffered = new RemoteChannel(() => new Channel<number[]>(0));
      const taken = remotecallFetch(
        async (c: RemoteChannel<number[]>) => {
          try {
            return await c.take();
          } finally {
            c.finalize();
          }
        },
        w.p2,
        unbuffered,
      );
      await waitUntil(async () => (await remotecallFetch(() => 1, w.p2)) === 1);
      await new Promise((r) => setTimeout(r, 100));
      const a = [1, 2];
      await unbuffered.put(a);
      a[0] = 99;
      expect(await taken).toEqual([1, 2]);

      const buffered = new RemoteChannel(() => new Channel<Float64Array>(4));
      const b = new Float64Array([1, 2]);
      await buffered.put(b);
      b[0] = 99;
      expect(Array.from(await buffered.take())).toEqual([1, 2]);
      unbuffered.finalize();
      buffered.finalize();
    });

    it('isOpen asks the owner', async () => {
      for (const pid of [myid(), w.p2]) {
        const rc = new RemoteChannel(() => new Channel<number>(1), pid);
        expect(await rc.isOpen()).toBe(true);
        await rc.close();
        expect(await rc.isOpen()).toBe(false);
        rc.finalize();
      }
    });

    it('take is a free function for Channels and RemoteChannels', async () => {
      const rc = new RemoteChannel(() => new Channel<string>(1), w.p3);
      await rc.put('x');
      expect(await take(rc)).toBe('x');
      const ch = new Channel<number>(1);
      await ch.put(3);
      expect(await take(ch)).toBe(3);
      expect(() => take(new Future() as unknown as Channel)).toThrow(/Channel or a RemoteChannel.*fetch/);
      rc.finalize();
    });
  });

  describe('everywhere and clear', () => {
    it('take one pid as well as a list', async () => {
      await everywhere(
        () => {
          (globalThis as Record<string, unknown>).onlyHere = 'yes';
        },
        { procs: w.p2 },
      );
      expect(await remotecallFetch(() => typeof (globalThis as Record<string, unknown>).onlyHere, w.p2)).toBe(
        'string',
      );
      expect(await remotecallFetch(() => typeof (globalThis as Record<string, unknown>).onlyHere, w.p3)).toBe(
        'undefined',
      );
      await clear('onlyHere', w.p2);
      expect(await remotecallFetch(() => typeof (globalThis as Record<string, unknown>).onlyHere, w.p2)).toBe(
        'undefined',
      );
    });

    it("reports every process's error, not only the first", async () => {
      const err = await everywhere(
        () => {
          throw new Error(`refused on ${myid()}`);
        },
        { procs: [w.p2, w.p3] },
      ).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CompositeException);
      const errors = (err as CompositeException).errors as RemoteException[];
      expect(errors.map((e) => e.pid)).toEqual([w.p2, w.p3]);
      expect(errors.map((e) => e.captured.message)).toEqual([`refused on ${w.p2}`, `refused on ${w.p3}`]);
    });
  });

  describe('API functions and standard globals as the function', () => {
    it('are sent by reference', async () => {
      expect(await remotecallFetch(myid, w.p2)).toBe(w.p2);
      expect(await remotecall(Number, w.p2, '1').fetch()).toBe(1);
      expect(await remotecallFetch(Math.max, w.p3, 1, 5, 3)).toBe(5);
      expect(await remotecallFetch(parseInt, w.p3, '42')).toBe(42);
      expect(await remotecallFetch(JSON.stringify, w.p2, { a: 1 })).toBe('{"a":1}');
      expect(await remotecallFetch(Promise.resolve, w.p2, 3)).toBe(3);
      expect(await remotecallFetch(Promise.resolve, myid(), 4)).toBe(4);
    });

    it('other native functions are refused with an ArgumentError that says what is allowed', () => {
      expect(() => remotecall([].map as unknown as () => unknown, w.p2)).toThrow(
        /native.*standard globals.*wrap/,
      );
      const bound = ((x: number) => x).bind(null);
      expect(() => remotecall(bound, w.p2, 1)).toThrow(/bound function/);
    });
  });
});
