/**
 * Distributed.jl test/distributed_exec.jl lines 801–886, ported: SSH addprocs on this machine's
 * sshd (the CI cluster's, /work/shared/ci/cluster.sh up ssh): many hosts at once, numeric counts,
 * tunnels with and without multiplexing, every host format, and exename. Julia's 9 workers per case
 * are 2 or 3 here; `:auto` counts are not supported (a count is a positive integer).
 */

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { state } from '../../src/cluster/state.js';
import {
  addprocs,
  type HostSpec,
  myid,
  remotecallFetch,
  rmprocs,
  SSHManager,
  workers,
} from '../../src/index.js';
import { removeAllAndCheck, waitFor } from '../integration/leaks.js';
import { sshChildren, sshdWorkers } from '../integration/ssh-leaks.js';

const sshConfig = process.env.DARRAY_TEST_SSH_CONFIG ?? '/tmp/cluster-ci/ssh/ssh_config';
const up =
  existsSync(sshConfig) &&
  spawnSync('ssh', ['-F', sshConfig, '127.0.0.1', 'true'], { timeout: 10_000 }).status === 0;
const why = `no sshd answering with ${sshConfig} (cluster.sh up ssh; DARRAY_TEST_SSH_CONFIG)`;
if (!up && process.env.CI === 'true') throw new Error(`the SSH daemon must be up under CI=true: ${why}`);

const sshflags = ['-F', sshConfig];
const user = /^\s*User\s+(\S+)/m.exec(readFileSync(up ? sshConfig : '/dev/null', 'utf8'))?.[1] ?? 'root';
const port = /^\s*Port\s+(\d+)/m.exec(readFileSync(up ? sshConfig : '/dev/null', 'utf8'))?.[1] ?? '22';

/** distributed_exec.jl's test_n_remove_pids: every new worker knows the others; worker 1 removes them. */
async function testAndRemove(pids: number[]): Promise<void> {
  for (const p of pids) {
    const seen = await remotecallFetch(() => workers(), p);
    expect(pids.filter((q) => seen.includes(q))).toEqual(pids);
  }
  await remotecallFetch((ps: number[]) => rmprocs(ps), 1, pids);
  expect(workers()).toEqual([1]);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

describe.skipIf(!up)(`SSHManager, distributed_exec.jl 801–886${up ? '' : ` (skipped: ${why})`}`, () => {
  afterAll(async () => {
    await removeAllAndCheck();
    await waitFor(
      () => sshChildren().length + sshdWorkers().length === 0,
      10_000,
      'ssh and its workers to exit',
    );
  });
  afterEach(async () => {
    const left = workers().filter((p) => p !== 1);
    if (left.length > 0) await rmprocs(left);
  });

  it('distributed_exec.jl:826 addprocs on hosts named three ways', async () => {
    const hosts = ['localhost', '127.0.0.1', 'localhost'];
    const pids = await addprocs(hosts, { sshflags });
    expect(pids).toHaveLength(hosts.length);
    await testAndRemove(pids);
  });

  it('distributed_exec.jl:836 numeric counts', async () => {
    const hosts: HostSpec[] = [['localhost', 2], ['127.0.0.1', 2], 'localhost'];
    const pids = await addprocs(hosts, { sshflags });
    expect(pids).toHaveLength(5);
    await testAndRemove(pids);
  });

  it('distributed_exec.jl:841 tunnel, and tunnel with multiplexing', async () => {
    const pids = await addprocs([['localhost', 2]], { sshflags, tunnel: true });
    expect(pids).toHaveLength(2);
    await testAndRemove(pids);
    const m = new SSHManager([['localhost', 2]], { sshflags, tunnel: true, multiplex: true });
    const muxed = await addprocs(m);
    expect(muxed).toHaveLength(2);
    const sockets = () => readdirSync(m.controlDir as string);
    expect(sockets()).toHaveLength(1);
    await testAndRemove(muxed);
    await waitFor(() => sockets().length === 0, 10_000, 'the control socket to go');
    rmSync(m.controlDir as string, { recursive: true, force: true });
  });

  it('distributed_exec.jl:856 every supported host format', async () => {
    const h1 = 'localhost';
    const h2 = `${user}@${h1}`;
    const h3 = `${h2}:${port}`;
    const h4 = `${h3} 127.0.0.1`;
    const bindPort = await freePort();
    const h5 = `${h4}:${bindPort}`;
    const pids = await addprocs([h1, h2, h3, h4, h5], { sshflags });
    expect(pids).toHaveLength(5);
    // The last one listens where its spec said.
    expect(pids.map((p) => state.peers.get(p)?.port).filter((p) => p === bindPort)).toHaveLength(1);
    expect(await Promise.all(pids.map((p) => remotecallFetch(() => myid(), p)))).toEqual(pids);
    await testAndRemove(pids);
  });

  it('distributed_exec.jl:872 keyword exename, for SSH and local workers', async () => {
    for (const add of [
      () => addprocs(['localhost'], { sshflags, exename: process.execPath }),
      () => addprocs(1, { exename: process.execPath }),
    ]) {
      const pids = await add();
      expect(pids).toHaveLength(1);
      await testAndRemove(pids);
    }
  });
});
