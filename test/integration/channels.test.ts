import { describe, expect, it } from 'vitest';
import { makeDictChannel } from '../../examples/dict-store.js';
import {
  addprocs,
  Channel,
  ChannelClosedError,
  type Future,
  myid,
  ProcessExitedException,
  RemoteChannel,
  remotecall,
  remotecallFetch,
  remoteRefCount,
  rmprocs,
} from '../../src/index.js';
import { waitUntil } from './leaks.js';
import { expectRefsBackTo, totalRemoteRefs } from './refs.js';
import { useTwoWorkers } from './two-workers.js';

const cluster = useTwoWorkers();

describe('RemoteChannel', () => {
  it('proxies every verb to the owner and frees the store once released', async () => {
    const before = await remotecallFetch(() => remoteRefCount(), cluster.p2);
    const rc = new RemoteChannel(() => new Channel<number>(4), cluster.p2);
    expect(rc.where).toBe(cluster.p2);
    await rc.put(1);
    await rc.put(2);
    expect(await rc.isReady()).toBe(true);
    expect(await rc.fetch()).toBe(1);
    expect(await rc.take()).toBe(1);
    expect(await remotecallFetch(() => remoteRefCount(), cluster.p2)).toBe(before + 1);
    await rc.close();
    expect(await rc.take()).toBe(2);
    await expect(rc.take()).rejects.toBeInstanceOf(ChannelClosedError);
    rc.finalize();
    await expect(rc.take()).rejects.toThrow(/finalized/);
    await waitUntil(async () => (await remotecallFetch(() => remoteRefCount(), cluster.p2)) === before);
  });

  it('a copy sent to another process refers to the same store; the owner counts both holders', async () => {
    const rc = new RemoteChannel(() => new Channel<number>(8), cluster.p2);
    await remotecallFetch(
      async (c: RemoteChannel<number>) => {
        await c.put(myid());
        c.finalize();
      },
      cluster.p3,
      rc,
    );
    expect(await rc.take()).toBe(cluster.p3);
    // Worker 3 released its copy; ours is the last hold.
    rc.finalize();
    await expectRefsBackTo(cluster.baseline);
  });

  it('for await over a RemoteChannel ends when it is closed and empty', async () => {
    const rc = new RemoteChannel(() => new Channel<string>(10), cluster.p3);
    for (const s of ['a', 'b']) await rc.put(s);
    await rc.close();
    const seen: string[] = [];
    for await (const s of rc) seen.push(s);
    expect(seen).toEqual(['a', 'b']);
    rc.finalize();
  });

  it('can be backed by any object with the channel verbs (DictChannel)', async () => {
    const dc = new RemoteChannel(makeDictChannel, cluster.p2);
    await dc.put('x', 1);
    await dc.put('y', 2);
    expect(await dc.isReady('y')).toBe(true);
    expect(await dc.take('y')).toBe(2);
    expect(await dc.fetch('x')).toBe(1);
    dc.finalize();
  });

  it('a RemoteChannel owned by the master works from workers', async () => {
    const results = new RemoteChannel(() => new Channel<number>(10));
    await Promise.all(
      [cluster.p2, cluster.p3].map((p) =>
        remotecallFetch(
          async (c: RemoteChannel<number>) => {
            await c.put(myid() * 100);
            c.finalize();
          },
          p,
          results,
        ),
      ),
    );
    const got = [await results.take(), await results.take()].sort();
    expect(got).toEqual([cluster.p2 * 100, cluster.p3 * 100].sort());
    results.finalize();
  });

  it('refuses bad input: a dead pid, a factory that is not a function or returns no channel', async () => {
    const [p] = (await addprocs(1)) as [number];
    await rmprocs(p);
    expect(() => new RemoteChannel(() => new Channel(1), p)).toThrow(ProcessExitedException);
    expect(() => new RemoteChannel(() => new Channel(1), 77)).toThrow(/no process with id 77/);
    expect(() => new RemoteChannel(5 as unknown as () => Channel)).toThrow(
      /expected a function that makes the channel/,
    );
    expect(() => new RemoteChannel(() => 5 as unknown as Channel)).toThrow(/channel verbs/);
  });

  it('fails verbs with ProcessExitedException when its owner dies', async () => {
    const [p] = (await addprocs(1)) as [number];
    const rc = new RemoteChannel(() => new Channel<number>(1), p);
    const pendingTake = rc.take().catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const osPid = await remotecallFetch(() => process.pid, p);
    process.kill(osPid, 'SIGKILL');
    expect(await pendingTake).toBeInstanceOf(ProcessExitedException);
    await expect(rc.put(1)).rejects.toBeInstanceOf(ProcessExitedException);
  });
});

describe('distributed GC of Futures', () => {
  it('an unfetched Future holds its value until finalized', async () => {
    const f = remotecall(() => new Float64Array(10), cluster.p2);
    await f.wait();
    expect(await totalRemoteRefs()).toBe(cluster.baseline + 1);
    f.finalize();
    await expectRefsBackTo(cluster.baseline);
    await expect(f.fetch()).rejects.toThrow(/finalized/);
  });

  it('a Future passed to another process stays alive until both holders let go', async () => {
    const f = remotecall(() => 'shared', cluster.p2);
    await f.wait();
    const f3 = await remotecallFetch(
      async (g: Future<string>) => {
        // Keep the copy alive on worker 3 in a global, fetch later.
        (globalThis as unknown as { kept: Future<string> }).kept = g;
        return 'stored';
      },
      cluster.p3,
      f,
    );
    expect(f3).toBe('stored');
    expect(await f.fetch()).toBe('shared');
    // Our fetch released our hold, but worker 3 still holds one.
    expect(await remotecallFetch(() => remoteRefCount(), cluster.p2)).toBe(1);
    expect(
      await remotecallFetch(
        () => (globalThis as unknown as { kept: Future<string> }).kept.fetch(),
        cluster.p3,
      ),
    ).toBe('shared');
    await expectRefsBackTo(cluster.baseline);
  });

  it('forgotten references are released by the garbage collector', async () => {
    // vitest.config.ts starts test processes with --expose-gc so that a collection can be forced.
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc).toBeTypeOf('function');
    if (!gc) return;
    (() => {
      remotecall(() => 1, cluster.p2);
    })();
    await new Promise((r) => setTimeout(r, 50));
    gc();
    await expectRefsBackTo(cluster.baseline);
  });
});
