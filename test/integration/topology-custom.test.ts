/**
 * topology: 'custom': a manager's WorkerConfig.ident and connectIdents decide which workers connect
 * (at addprocs); other pairs cannot call each other, and bad idents are refused with clear errors.
 */
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ArgumentError,
  addprocs,
  type ClusterManager,
  type LaunchParams,
  myid,
  RemoteException,
  remotecallFetch,
  rmprocs,
  type WorkerConfig,
  workers,
} from '../../src/index.js';
import { tcpConnections } from '../conformance/cluster.js';
import { childWorkerPids, removeAllAndCheck, waitFor } from './leaks.js';
import { expectRefsBackTo } from './refs.js';

afterAll(removeAllAndCheck);

type Spec = Pick<WorkerConfig, 'ident' | 'connectIdents'>;

/** Starts one local worker per spec, with the spec's ident and connectIdents; records registrations. */
class IdentManager implements ClusterManager {
  readonly name = 'ident-test';
  readonly registered = new Map<number, unknown>();
  launched = 0;
  constructor(private readonly specs: Spec[]) {}
  async launch(params: LaunchParams): Promise<WorkerConfig[]> {
    return this.specs.map((spec) => {
      const child = spawn(params.exename, [...params.exeflags, params.workerScript], {
        cwd: params.dir,
        env: { ...process.env, ...params.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      child.stdin.on('error', () => {});
      child.stdin.write(`${params.cookie}\n`);
      this.launched++;
      return { process: child, io: child.stdout, err: child.stderr, ...spec };
    });
  }
  manage(pid: number, config: WorkerConfig, op: string): void {
    if (op === 'register') this.registered.set(pid, config.ident);
  }
  async kill(_pid: number, config: WorkerConfig): Promise<void> {
    config.process?.kill('SIGKILL');
  }
  /** The pid registered with `ident`. */
  pid(ident: unknown): number {
    for (const [pid, id] of this.registered) if (id === ident) return pid;
    throw new Error(`no worker registered with ident ${String(ident)}`);
  }
}

/** What `from` gets when it calls `to`: its pid, or the error's message. */
async function callFrom(from: number, to: number): Promise<number | string> {
  try {
    return await remotecallFetch((t: number) => remotecallFetch(() => myid(), t), from, to);
  } catch (e) {
    expect(e).toBeInstanceOf(RemoteException);
    return (e as RemoteException).captured.message;
  }
}

async function noWorkerProcessesLeft(): Promise<void> {
  await waitFor(() => childWorkerPids().length === 0, 5000, 'refused workers to be killed');
}

describe('topology custom: bad input', () => {
  it('an unknown topology lists the accepted ones', async () => {
    await expect(addprocs(1, { topology: 'star' as never })).rejects.toThrow(
      /topology must be 'all_to_all', 'master_worker' or 'custom', got the string "star"/,
    );
  });

  it('addprocs(n) cannot use it: local workers have no idents', async () => {
    const err = await addprocs(2, { topology: 'custom' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArgumentError);
    expect((err as Error).message).toMatch(/'custom' needs a ClusterManager .*ident and connectIdents/);
    expect(childWorkerPids()).toEqual([]);
  });

  it('connectIdents naming an unknown ident is refused, and the launched workers are killed', async () => {
    const manager = new IdentManager([
      { ident: 'a', connectIdents: ['b'] },
      { ident: 'b', connectIdents: ['z'] },
    ]);
    const err = await addprocs(manager, { topology: 'custom' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArgumentError);
    expect((err as Error).message).toMatch(
      /\(ident "b"\) of manager 'ident-test' lists "z" in connectIdents, but no worker has that ident \(the idents are "a", "b"\)/,
    );
    expect(manager.launched).toBe(2);
    expect(workers()).toEqual([1]);
    await noWorkerProcessesLeft();
  });

  it('a missing or repeated ident is refused', async () => {
    const missing = new IdentManager([{ ident: 'a' }, { connectIdents: ['a'] }]);
    await expect(addprocs(missing, { topology: 'custom' })).rejects.toThrow(
      /every WorkerConfig needs an ident, but manager 'ident-test' gave WorkerConfig 2 of 2 without one/,
    );
    const twice = new IdentManager([{ ident: 7 }, { ident: 7 }]);
    await expect(addprocs(twice, { topology: 'custom' })).rejects.toThrow(
      /ident 7, which .* idents must be unique/,
    );
    expect(workers()).toEqual([1]);
    await noWorkerProcessesLeft();
  });
});

describe('topology custom: ring and star', () => {
  it('a ring connects neighbours at addprocs, both ways, and refuses the others clearly', async () => {
    const ring = ['a', 'b', 'c', 'd'];
    const manager = new IdentManager(
      ring.map((id, i) => ({ ident: id, connectIdents: [ring[(i + 1) % 4]] })),
    );
    const pids = await addprocs(manager, { topology: 'custom' });
    expect(pids).toHaveLength(4);
    // The manager's register sees each worker's ident.
    expect([...manager.registered.values()].sort()).toEqual(ring);
    // Made by addprocs, not on first use: each worker holds the master's connection and its two neighbours'.
    for (const p of pids) {
      const osPid = await remotecallFetch(() => process.pid, p);
      expect(tcpConnections(osPid)).toBe(3);
    }
    const [a, b, c, d] = ring.map((id) => manager.pid(id)) as [number, number, number, number];
    expect(await callFrom(a, b)).toBe(b);
    expect(await callFrom(b, a)).toBe(a);
    expect(await callFrom(a, d)).toBe(d);
    expect(await callFrom(c, b)).toBe(b);
    const refused = await callFrom(a, c);
    expect(refused).toMatch(
      new RegExp(
        `worker ${a} cannot reach worker ${c}: the cluster uses topology 'custom' and these two were not connected`,
      ),
    );
    expect(await callFrom(d, b)).toMatch(/topology 'custom'/);
    // Refused calls hold nothing anywhere.
    await expectRefsBackTo(0);
    await rmprocs(pids);
    await noWorkerProcessesLeft();
  });

  it('a star grows by later addprocs whose connectIdents name workers already there', async () => {
    const first = new IdentManager([
      { ident: 'hub' },
      { ident: 1, connectIdents: ['hub'] },
      { ident: 2, connectIdents: ['hub'] },
    ]);
    await addprocs(first, { topology: 'custom' });
    const [hub, l1, l2] = ['hub', 1, 2].map((id) => first.pid(id)) as [number, number, number];
    expect(await callFrom(l1, hub)).toBe(hub);
    expect(await callFrom(hub, l2)).toBe(l2);
    expect(await callFrom(l1, l2)).toMatch(/topology 'custom'/);

    // A later call's idents must be known too; the cluster is left as it was.
    const bad = new IdentManager([{ ident: 3, connectIdents: ['hubb'] }]);
    // Idents are listed in pid order, the new ones last.
    const known = [...first.registered].sort((x, y) => x[0] - y[0]).map(([, id]) => JSON.stringify(id));
    await expect(addprocs(bad)).rejects.toThrow(
      `lists "hubb" in connectIdents, but no worker has that ident (the idents are ${known.join(', ')}, 3)`,
    );
    expect(workers()).toEqual([hub, l1, l2].sort((x, y) => x - y));

    const more = new IdentManager([{ ident: 3, connectIdents: ['hub'] }]);
    const [l3] = (await addprocs(more)) as [number];
    expect(await callFrom(hub, l3)).toBe(l3);
    expect(await callFrom(l3, hub)).toBe(hub);
    expect(await callFrom(l3, l1)).toMatch(/topology 'custom'/);
    // Refused calls hold nothing anywhere.
    await expectRefsBackTo(0);
    await rmprocs(workers());
    await noWorkerProcessesLeft();
  });
});
