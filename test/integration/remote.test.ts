import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addprocs,
  clear,
  everywhere,
  Future,
  fetchAny,
  fetchFrom,
  myid,
  nprocs,
  nworkers,
  procs,
  RemoteException,
  remotecall,
  remotecallFetch,
  remotecallWait,
  remoteDo,
  remoteRefCount,
  spawn,
  spawnAt,
  wireStats,
  workers,
} from '../../src/index.js';
import { remoteDoQueued } from '../../src/remote/calls.js';
import { removeAllAndCheck } from './leaks.js';

declare const triple: (x: number) => number;
declare const answer: number;

let p2 = 0;
let p3 = 0;

beforeAll(async () => {
  const pids = await addprocs(2);
  expect(pids).toHaveLength(2);
  [p2, p3] = pids as [number, number];
});
afterAll(removeAllAndCheck);

describe('process queries', () => {
  it('lists the master and the workers', async () => {
    expect(myid()).toBe(1);
    expect(procs()).toEqual([1, p2, p3]);
    expect(workers()).toEqual([p2, p3]);
    expect(nprocs()).toBe(3);
    expect(nworkers()).toBe(2);
  });

  it('knows its own id and the cluster inside a worker', async () => {
    expect(await remotecallFetch(() => myid(), p2)).toBe(p2);
    expect(await remotecallFetch(() => procs(), p3)).toEqual([1, p2, p3]);
    expect(await remotecallFetch(() => workers(), p3)).toEqual([p2, p3]);
  });
});

describe('remote calls', () => {
  it('remotecall returns a Future whose fetch is cached and frees the owner copy', async () => {
    const f = remotecall((a: number, b: number) => a + b, p2, 2, 3);
    expect(f).toBeInstanceOf(Future);
    expect(f.where).toBe(p2);
    expect(await f.fetch()).toBe(5);
    expect(await remotecallFetch(() => remoteRefCount(), p2)).toBe(0);
    expect(await f.fetch()).toBe(5);
    expect(await f.isReady()).toBe(true);
  });

  it('remotecallWait waits for completion and leaves the value with its owner', async () => {
    const f = await remotecallWait(() => 'done', p3);
    expect(await remotecallFetch(() => remoteRefCount(), p3)).toBe(1);
    expect(await f.fetch()).toBe('done');
    expect(await remotecallFetch(() => remoteRefCount(), p3)).toBe(0);
  });

  it('wait and isReady follow a slow call', async () => {
    const f = remotecall(() => new Promise((r) => setTimeout(() => r(7), 300)), p2);
    expect(await f.isReady()).toBe(false);
    await f.wait();
    expect(await f.isReady()).toBe(true);
    expect(await f.fetch()).toBe(7);
  });

  it('a Future can be put once, locally and remotely', async () => {
    const local = new Future<number>();
    await local.put(1);
    expect(await local.fetch()).toBe(1);
    const remote = new Future<string>(p3);
    await remote.put('x');
    expect(await remote.fetch()).toBe('x');
    await expect(remote.put('y')).rejects.toThrow(/only once/);
    const other = new Future<number>(p2);
    await other.put(3);
    await expect(other.put(4)).rejects.toThrow(/only once/);
  });

  it('spawnAt, spawn, fetchFrom and fetchAny', async () => {
    expect(await spawnAt(p3, () => myid()).fetch()).toBe(p3);
    const spread = new Set(
      await Promise.all([spawn(() => myid()), spawn(() => myid())].map((f) => f.fetch())),
    );
    expect(spread).toEqual(new Set([p2, p3]));
    expect(await fetchFrom(p2, (x: number) => x * 2, 21)).toBe(42);
    expect([p2, p3]).toContain(await fetchAny(() => myid()));
  });

  it('remoteDo runs for its effect only', async () => {
    await remotecallFetch(() => {
      (globalThis as Record<string, unknown>).hits = 0;
    }, p2);
    remoteDo(() => {
      (globalThis as unknown as { hits: number }).hits++;
    }, p2);
    await new Promise((r) => setTimeout(r, 200));
    expect(await remotecallFetch(() => (globalThis as unknown as { hits: number }).hits, p2)).toBe(1);
  });

  it('queued commands keep their order with a call sent after them, and go out by themselves at the end of the tick', async () => {
    type Seq = { seq: number[] };
    await remotecallFetch(() => {
      (globalThis as unknown as Seq).seq = [];
    }, p2);
    const push = (k: number) => {
      (globalThis as unknown as Seq).seq.push(k);
    };
    for (let i = 0; i < 5; i++) remoteDoQueued(push, p2, i);
    // The call goes out at once and takes the commands queued before it along, ahead of itself.
    expect(await remotecallFetch(() => (globalThis as unknown as Seq).seq.slice(), p2)).toEqual([
      0, 1, 2, 3, 4,
    ]);
    remoteDoQueued(push, p2, 5);
    await new Promise((r) => setTimeout(r, 200));
    expect(await remotecallFetch(() => (globalThis as unknown as Seq).seq.length, p2)).toBe(6);
  });

  it('calls to myid() run here without copying; calls elsewhere get copies', async () => {
    const obj = { n: 1 };
    const same = await remotecallFetch((o: { n: number }) => o, 1, obj);
    expect(same).toBe(obj);
    const mutated = await remotecallFetch(
      (o: { n: number }) => {
        o.n = 2;
        return o;
      },
      p2,
      obj,
    );
    expect(mutated).toEqual({ n: 2 });
    expect(obj.n).toBe(1);
    const f = remotecall((o: { n: number }) => o, 1, obj);
    expect(await f.fetch()).toBe(obj);
  });

  it('workers call each other directly', async () => {
    const got = await remotecallFetch((other: number) => remotecallFetch(() => myid() * 10, other), p2, p3);
    expect(got).toBe(p3 * 10);
    // A Future made on one worker and fetched by it from another.
    const v = await remotecallFetch(
      async (other: number) => {
        const f = remotecall(() => 'from afar', other);
        return f.fetch();
      },
      p3,
      p2,
    );
    expect(v).toBe('from afar');
  });

  it('Futures travel between processes and can be fetched there', async () => {
    const f = remotecall(() => 99, p2);
    const v = await remotecallFetch((g: Future<number>) => g.fetch(), p3, f);
    expect(v).toBe(99);
  });

  it('TypedArrays arrive as the same type', async () => {
    const kinds = [
      new Float64Array([1.5, -2]),
      new Float32Array([0.25]),
      new Int32Array([-7, 8]),
      new Uint8Array([255, 0]),
      new Int16Array([-3]),
      new BigInt64Array([2n ** 40n]),
    ];
    const back = await remotecallFetch((xs: ArrayBufferView[]) => xs, p2, kinds);
    for (const [i, k] of kinds.entries()) {
      expect(back[i]?.constructor).toBe(k.constructor);
      expect(back[i]).toEqual(k);
    }
    const buf = await remotecallFetch((b: Buffer) => Buffer.concat([b, b]), p3, Buffer.from('ab'));
    expect(Buffer.isBuffer(buf)).toBe(true);
    expect(buf.toString()).toBe('abab');
    const m = await remotecallFetch((x: Map<number, string>) => x, p3, new Map([[1, 'a']]));
    expect(m).toEqual(new Map([[1, 'a']]));
  });

  it('moves a 64 MiB Float64Array both ways intact', async () => {
    const n = (64 * 1024 * 1024) / 8;
    const big = new Float64Array(n);
    for (let i = 0; i < n; i += 4099) big[i] = i;
    const back = await remotecallFetch(
      (a: Float64Array) => {
        let s = 0;
        for (let i = 0; i < a.length; i += 4099) s += a[i] as number;
        a[1] = s;
        return a;
      },
      p2,
      big,
    );
    expect(back).toBeInstanceOf(Float64Array);
    expect(back.length).toBe(n);
    let expected = 0;
    for (let i = 0; i < n; i += 4099) expected += i;
    expect(back[1]).toBe(expected);
    expect(back[4099 * 100]).toBe(4099 * 100);
  });
});

describe('code availability', () => {
  it('everywhere(module) makes its exports usable by name and sends its functions by reference', async () => {
    const spec = './test/fixtures/mathmod.mjs';
    await everywhere(spec);
    expect(await remotecallFetch(() => triple(4), p2)).toBe(12);
    const mod = (await import('../fixtures/mathmod.mjs')) as { scaled: (x: number) => number };
    // `scaled` reads module-private state: only a reference, not its source, can work remotely.
    expect(await remotecallFetch(mod.scaled, p3, 2)).toBe(20);
  });

  it('everywhere(fn) runs on every process and clear() drops the names', async () => {
    await everywhere(() => {
      (globalThis as Record<string, unknown>).answer = 42;
    });
    expect(await remotecallFetch(() => answer + myid(), p2)).toBe(42 + p2);
    await clear(['answer'], [p2]);
    await expect(remotecallFetch(() => answer, p2)).rejects.toThrow(/answer is not defined/);
    expect(await remotecallFetch(() => answer, p3)).toBe(42);
    await clear('answer', [1, p3]);
  });

  it('names a function a worker already holds by a short id, bound again after the scope changes', async () => {
    const inc = (x: number) => x + 1;
    expect(await remotecallFetch(inc, p2, 1)).toBe(2);
    const before = wireStats().bytesSent;
    expect(await remotecallFetch(inc, p2, 2)).toBe(3);
    // Header (16), envelope (8) and a body with neither the source nor the 28-character hash.
    expect(wireStats().bytesSent - before).toBeLessThan(48);
    // Another function object with the same source is the same function to the worker.
    expect(await remotecallFetch((x: number) => x + 1, p2, 5)).toBe(6);
    // A function bound to an everywhere() export, called by id while clear() and everywhere()
    // change the worker's scope: it is bound again each time, as a call by source would be.
    const spec = './test/fixtures/mathmod.mjs';
    const useTriple = (x: number) => triple(x);
    await everywhere(spec);
    expect(await remotecallFetch(useTriple, p3, 1)).toBe(3);
    expect(await remotecallFetch(useTriple, p3, 2)).toBe(6);
    await clear('triple', [p3]);
    await expect(remotecallFetch(useTriple, p3, 2)).rejects.toThrow(
      /'triple' is not defined on this process/,
    );
    await everywhere(spec);
    expect(await remotecallFetch(useTriple, p3, 3)).toBe(9);
  });

  it('refuses a function that captures a variable, naming it, before sending', async () => {
    const secret = 5;
    expect(() => remotecall(() => secret * 2, p2)).toThrow(
      /uses 'secret' from its enclosing scope.*Pass it as an argument/,
    );
    await expect(remotecallFetch(() => secret, p2)).rejects.toThrow(/'secret'/);
    // The same value passed as an argument is fine.
    expect(await remotecallFetch((s: number) => s * 2, p2, secret)).toBe(10);
  });

  it('names an argument that cannot be sent', async () => {
    await expect(remotecallFetch((x: unknown) => x, p2, Symbol('s'))).rejects.toThrow(
      /argument 1 .*cannot be sent/,
    );
  });
});

describe('errors', () => {
  it('a remote throw arrives as RemoteException with pid, name, message and stack', async () => {
    const err = await remotecallFetch(() => {
      throw new RangeError('out of range');
    }, p3).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteException);
    const re = err as RemoteException;
    expect(re.pid).toBe(p3);
    expect(re.captured.name).toBe('RangeError');
    expect(re.captured.message).toBe('out of range');
    expect(re.captured.stack).toContain('RangeError: out of range');
    const f = remotecall(() => {
      throw new TypeError('later');
    }, p2);
    await expect(f.fetch()).rejects.toBeInstanceOf(RemoteException);
  });

  it('a result is waited for only when it is thenable; reading its then may throw', async () => {
    // A plain value is answered at once; a thenable that is not a Promise is still awaited.
    // biome-ignore lint/suspicious/noThenProperty: the test needs a thenable that is not a Promise
    const thenable = () => ({ then: (r: (v: number) => void) => r(5) });
    expect(await remotecallFetch(thenable, p2)).toBe(5);
    // biome-ignore lint/suspicious/noThenProperty: a 'then' that is no function makes no thenable
    const plain = () => ({ then: 7 });
    expect((await remotecallFetch(plain, p2)).then).toBe(7);
    // A throwing 'then' getter fails the call as a throw inside the function would.
    const err = await remotecallFetch(
      () =>
        new Proxy(
          {},
          {
            get(_t, k) {
              if (k === 'then') throw new Error('no then here');
              return undefined;
            },
          },
        ),
      p2,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteException);
    expect((err as RemoteException).captured.message).toBe('no then here');
    // Bad arguments reject the returned promise; remotecallFetch never throws synchronously.
    const bad = remotecallFetch('nope' as unknown as () => void, p2);
    await expect(bad).rejects.toThrow(/expected a function/);
  });

  it('rejects bad pids and bad functions clearly', async () => {
    await expect(remotecallFetch(() => 1, 99)).rejects.toThrow(/no process with id 99/);
    expect(() => remotecall('nope' as unknown as () => void, p2)).toThrow(/expected a function/);
    expect(() => remotecall(() => 1, 0)).toThrow(/expected a process id/);
    await expect(addprocs(1, { topology: 'ring' as 'all_to_all' })).rejects.toThrow(/topology must be/);
    await expect(addprocs(1, { bogus: 1 } as object)).rejects.toThrow(/unknown option 'bogus'/);
    await expect(addprocs(-1)).rejects.toThrow(/positive integer/);
    // A host list goes to the SSH manager, which checks each machine spec before running ssh.
    await expect(addprocs(['0*127.0.0.1'])).rejects.toThrow(/worker count must be a positive integer/);
    await expect(addprocs(['-oProxyCommand=x'])).rejects.toThrow(/cannot start with '-'/);
  });
});
