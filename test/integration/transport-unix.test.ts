/**
 * A custom transport through ClusterManager.connect: workers listen on Unix domain sockets instead
 * of TCP, the master reaches them through the manager's connect, and workers reach each other at
 * the socket paths they announced. Remote calls, worker-to-worker calls and heartbeats all run
 * over them; no TCP connection is made.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  addprocs,
  type ClusterManager,
  type LaunchParams,
  type ManageOp,
  myid,
  remotecallFetch,
  type WorkerConfig,
  wireStats,
  workers,
} from '../../src/index.js';
import { tcpConnections } from '../conformance/cluster.js';
import { removeAllAndCheck } from './leaks.js';
import { expectRefsBackTo } from './refs.js';

/** Starts local workers on Unix domain sockets in a private directory, and connects to them there. */
class UnixSocketManager implements ClusterManager {
  readonly name = 'unix-socket';
  readonly dir = mkdtempSync(join(tmpdir(), 'darray-uds-'));
  /** The socket paths `connect` opened, in order. */
  readonly opened: string[] = [];
  constructor(private readonly count: number) {}

  async launch(params: LaunchParams): Promise<WorkerConfig[]> {
    return Array.from({ length: this.count }, (_, i) => {
      const path = join(this.dir, `w${i}.sock`);
      const child = spawn(params.exename, [...params.exeflags, params.workerScript, '--socket', path], {
        cwd: params.dir,
        env: { ...process.env, ...params.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      child.stdin.on('error', () => {});
      child.stdin.write(`${params.cookie}\n`);
      return { process: child, io: child.stdout, err: child.stderr, userdata: { path } };
    });
  }

  manage(_pid: number, _config: WorkerConfig, _op: ManageOp): void {}

  connect(_pid: number, config: WorkerConfig): Promise<Socket> {
    const { path } = config.userdata as { path: string };
    this.opened.push(path);
    return new Promise((resolve, reject) => {
      const s = connect({ path });
      s.once('connect', () => {
        s.off('error', reject);
        resolve(s);
      });
      s.once('error', reject);
    });
  }

  async kill(_pid: number, config: WorkerConfig): Promise<void> {
    config.process?.kill('SIGKILL');
  }
}

const manager = new UnixSocketManager(2);

afterAll(async () => {
  await removeAllAndCheck();
  rmSync(manager.dir, { recursive: true, force: true });
});

describe('custom transport: Unix domain sockets through ClusterManager.connect', () => {
  it('remote calls and worker-to-worker calls run over the sockets, with no TCP connection', async () => {
    const [p2, p3] = (await addprocs(manager, { heartbeat: { interval: 0.1, timeout: 2 } })) as [
      number,
      number,
    ];
    expect(workers()).toEqual([p2, p3]);
    // One connect per worker, in the order they announced.
    expect([...manager.opened].sort()).toEqual([join(manager.dir, 'w0.sock'), join(manager.dir, 'w1.sock')]);
    expect(await remotecallFetch((a: number, b: number) => a + b, p2, 2, 3)).toBe(5);
    // p2 reaches p3 at the socket path p3 announced.
    expect(await remotecallFetch((t: number) => remotecallFetch(() => myid(), t), p2, p3)).toBe(p3);
    expect(await remotecallFetch((t: number) => remotecallFetch(() => myid(), t), p3, p2)).toBe(p2);
    const osPids = await Promise.all([p2, p3].map((p) => remotecallFetch(() => process.pid, p)));
    for (const pid of osPids) expect(tcpConnections(pid)).toBe(0);
    await expectRefsBackTo(0);
  });

  it('heartbeats keep idle Unix connections alive and flow over them', async () => {
    const before = wireStats().heartbeatsSent;
    await new Promise((r) => setTimeout(r, 400));
    expect(wireStats().heartbeatsSent - before).toBeGreaterThan(0);
    expect(workers()).toHaveLength(2);
    expect(await Promise.all(workers().map((p) => remotecallFetch(() => myid(), p)))).toEqual(workers());
  });
});
