// SSH workers on the real sshd of the CI cluster (.ci/run, /work/shared/ci/cluster.sh up ssh netns):
// tunnels, counts, bind addresses, an unreachable and a silent host, the cookie kept off every
// command line, `darray run --machine-file`, and workers on three network-namespace hosts.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { state } from '../../src/cluster/state.js';
import {
  addprocs,
  clusterCookie,
  collect,
  distribute,
  interrupt,
  isApprox,
  myid,
  powerMethod,
  RemoteException,
  rand,
  remotecallFetch,
  remoteDo,
  rmprocs,
  SSHManager,
  workers,
} from '../../src/index.js';
import { waitFor } from './leaks.js';
import { markedProcs, procEntries, read, sshChildren, sshdWorkers } from './ssh-leaks.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const sshConfig = process.env.DARRAY_TEST_SSH_CONFIG ?? '/tmp/cluster-ci/ssh/ssh_config';
const CI = process.env.CI === 'true';

/** Why the SSH tests cannot run here, or undefined when sshd answers. */
function sshMissing(): string | undefined {
  if (!existsSync(sshConfig)) return `no ssh client config at ${sshConfig} (set DARRAY_TEST_SSH_CONFIG)`;
  const r = spawnSync('ssh', ['-F', sshConfig, '127.0.0.1', 'true'], { timeout: 10_000, encoding: 'utf8' });
  if (r.error) return `ssh could not run: ${r.error.message}`;
  return r.status === 0 ? undefined : `ssh -F ${sshConfig} 127.0.0.1 failed: ${r.stderr.trim()}`;
}

/** Why the namespace hosts cannot be used here, or undefined. */
function netnsMissing(): string | undefined {
  const r = spawnSync('ip', ['netns', 'exec', 'clh1', 'true'], { timeout: 5000 });
  if (r.status !== 0) return 'no network namespace clh1 (cluster.sh up netns, as root)';
  if (!existsSync('/usr/sbin/sshd')) return 'no /usr/sbin/sshd to serve inside the namespaces';
  return undefined;
}

const sshWhy = sshMissing();
if (sshWhy && CI) throw new Error(`the SSH daemon must be up under CI=true: ${sshWhy}`);
const netnsWhy = sshWhy ?? netnsMissing();
if (netnsWhy && CI) throw new Error(`the namespace hosts must be up under CI=true: ${netnsWhy}`);

// Every worker of this file carries this mark in its environment, so leaks are found by it.
const MARK = randomBytes(8).toString('hex');
const base = { sshflags: ['-F', sshConfig], env: { DARRAY_SSH_MARK: MARK } };

/** Whether a process holds an open TCP connection to sshd's port (2222 unless the config says otherwise). */
function holdsSshdConnection(pid: number): boolean {
  const port = /^\s*Port\s+(\d+)/m.exec(read(sshConfig))?.[1] ?? '22';
  const hex = Number(port).toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set(
    read('/proc/net/tcp')
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f[2]?.endsWith(`:${hex}`))
      .map((f) => f[9]),
  );
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  return fds.some((fd) => {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      return m !== null && inodes.has(m[1]);
    } catch {
      return false;
    }
  });
}

async function expectNothingLeft(): Promise<void> {
  const ws = workers().filter((p) => p !== 1);
  if (ws.length > 0) await rmprocs(ws, { waitfor: 10 });
  await waitFor(
    () => markedProcs(MARK).length === 0 && sshChildren().length === 0,
    10_000,
    'ssh and workers to exit',
  );
}

describe.skipIf(sshWhy !== undefined)(`SSHManager${sshWhy ? ` (skipped: ${sshWhy})` : ''}`, () => {
  afterEach(expectNothingLeft);

  it('starts N*host and [host, n] workers without a tunnel; they run a DArray powerMethod and remote calls', async () => {
    const pids = await addprocs(['127.0.0.1', '2*127.0.0.1'], base);
    expect(pids).toHaveLength(3);
    const seen = await Promise.all(
      pids.map((p) =>
        remotecallFetch(() => [myid(), process.env.DARRAY_SSH_MARK, process.cwd(), process.ppid], p),
      ),
    );
    expect(seen.map((s) => s[0])).toEqual(pids);
    for (const s of seen) {
      expect(s[1]).toBe(MARK);
      expect(s[2]).toBe(process.cwd());
      // Started by sshd's session, not by this process.
      expect(s[3]).not.toBe(process.pid);
    }
    expect(markedProcs(MARK)).toHaveLength(3);
    // The cookie reached every worker over ssh's stdin: no process shows it on its command line.
    const cookie = clusterCookie();
    const holders = procEntries().filter((p) => read(`/proc/${p}/cmdline`).includes(cookie));
    expect(holders).toEqual([]);

    const M = rand([48, 48], { seed: 3 });
    const v = rand([48], { seed: 4 });
    const [hostV, hostL] = await powerMethod(M, v);
    const dM = await distribute(M);
    const dv = await distribute(v);
    const [dx, lambda] = await powerMethod(dM, dv);
    expect(lambda).toBeCloseTo(hostL, 10);
    expect(await isApprox(await collect(dx), hostV)).toBe(true);
    for (const d of [dM, dv, dx]) d.close();
  });

  it('tunnel: the master reaches each worker through its own ssh -L; maxParallel 1 starts them in turn', async () => {
    const pids = await addprocs([['127.0.0.1', 2]], { ...base, tunnel: true, maxParallel: 1 });
    const forwards = sshChildren()
      .map((p) => read(`/proc/${p}/cmdline`).split('\0'))
      .filter((argv) => argv.includes('-L'))
      .map((argv) => argv[argv.indexOf('-L') + 1]);
    const ports = pids.map((p) => state.peers.get(p)?.port);
    // One forward per worker, from a port here to the port the worker announced on its host.
    expect(forwards.map((f) => Number(f?.split(':')[3])).sort()).toEqual([...ports].sort());
    // Without multiplex, each session and each tunnel has its own connection to sshd.
    expect(sshChildren().filter(holdsSshdConnection)).toHaveLength(4);
    expect(await Promise.all(pids.map((p) => remotecallFetch(() => myid(), p)))).toEqual(pids);
    const d = await distribute(rand([10], { seed: 2 }));
    expect((await collect(d)).data).toEqual(rand([10], { seed: 2 }).data);
    d.close();
  });

  it('interrupt reaches the remote worker; a worker stuck in synchronous code is killed on its host', async () => {
    const [p] = (await addprocs(['127.0.0.1'], base)) as [number];
    const running = remotecallFetch(() => new Promise((r) => setTimeout(r, 20_000)), p);
    await new Promise((r) => setTimeout(r, 200));
    interrupt(p);
    const err = (await running.catch((e: unknown) => e)) as RemoteException;
    expect(err).toBeInstanceOf(RemoteException);
    expect(err.captured.name).toBe('InterruptException');
    const [osPid] = markedProcs(MARK);
    remoteDo(() => {
      for (;;);
    }, p);
    await new Promise((r) => setTimeout(r, 200));
    // It cannot read the request to exit, nor see its stdin close: SSHManager.kill signals it there.
    await rmprocs(p, { waitfor: 0.5 });
    await waitFor(() => !markedProcs(MARK).includes(osPid as number), 10_000, 'the hung worker to be killed');
  });

  it('multiplex: one shared ssh connection per host carries the workers and their tunnels', async () => {
    const m = new SSHManager([['127.0.0.1', 2]], { sshflags: base.sshflags, multiplex: true, tunnel: true });
    const pids = await addprocs(m, { env: base.env });
    const masters = () =>
      procEntries().filter((p) => {
        const argv = read(`/proc/${p}/cmdline`).split('\0');
        return argv.includes('-N') && argv.some((a) => a.includes(`ControlPath=${m.controlDir}/`));
      });
    expect(masters()).toHaveLength(1);
    // Two worker sessions and two tunnels, none with a TCP connection of its own to sshd.
    expect(sshChildren()).toHaveLength(4);
    expect(sshChildren().filter(holdsSshdConnection)).toEqual([]);
    expect(await Promise.all(pids.map((p) => remotecallFetch(() => myid(), p)))).toEqual(pids);
    await rmprocs(pids);
    // The shared connection ends a few seconds after its last session.
    await waitFor(() => masters().length === 0, 10_000, 'the ControlMaster to exit');
    // This process outlives the test, so its exit hook would remove the directory only later.
    rmSync(m.controlDir as string, { recursive: true, force: true });
  });

  it('a bind address in the machine spec, bindTo and interface set what the worker binds and announces', async () => {
    // The spec's address wins over the option, host by host.
    const [a, b] = (await addprocs(['127.0.0.1 127.0.0.2', '127.0.0.1'], {
      ...base,
      bindTo: '127.0.0.3',
    })) as [number, number];
    const [l] = (await addprocs(1, { interface: 'lo' })) as [number];
    expect([a, b, l].map((p) => state.peers.get(p)?.host).sort()).toEqual([
      '127.0.0.1',
      '127.0.0.2',
      '127.0.0.3',
    ]);
    expect(state.peers.get(l)?.host).toBe('127.0.0.1');
    // Worker to worker over those addresses.
    expect(
      await remotecallFetch((q: number) => remotecallFetch(() => myid(), q), a as number, b as number),
    ).toBe(b);
  });

  it('an unreachable host fails at once, naming it, with no ssh or worker left', async () => {
    const t0 = Date.now();
    const err = await addprocs(['127.0.0.1:1'], { ...base, timeout: 10 }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/ssh to host 127\.0\.0\.1 port 1 ended \(exit code 255\)/);
    expect((err as Error).message).toMatch(/Connection refused/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(workers()).toEqual([1]);
  });

  it('a host that never answers is given up after the timeout, naming it', async () => {
    // A TCP server that accepts and stays silent: ssh waits for a banner that never comes.
    const held: import('node:net').Socket[] = [];
    const silent: Server = createServer((s) => held.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as { port: number }).port;
    try {
      const t0 = Date.now();
      const err = await addprocs([`127.0.0.1:${port}`], { ...base, timeout: 2 }).catch((e: Error) => e);
      expect((err as Error).message).toContain(`127.0.0.1 port ${port}`);
      expect(Date.now() - t0).toBeLessThan(5000);
    } finally {
      for (const s of held) s.destroy();
      silent.close();
    }
  });
});

describe.skipIf(sshWhy !== undefined)(
  `darray run --machine-file${sshWhy ? ` (skipped: ${sshWhy})` : ''}`,
  () => {
    it('starts the workers the file lists and runs the script on them', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'darray-mf-'));
      try {
        const file = join(dir, 'machines');
        writeFileSync(
          file,
          '# two on one host, one bound to 127.0.0.2\n2*127.0.0.1\n\n127.0.0.1 127.0.0.2\n',
        );
        const r = spawnSync(
          process.execPath,
          [
            `${root}dist/src/cli/main.js`,
            'run',
            '--machine-file',
            file,
            '--sshflags',
            `-F ${sshConfig}`,
            'test/fixtures/ssh/driver.mjs',
          ],
          { cwd: root, encoding: 'utf8', timeout: 60_000 },
        );
        expect(r.stderr).toBe('');
        const report = JSON.parse(r.stdout) as { me: number; workers: number[]; ids: number[] };
        expect(report.me).toBe(1);
        expect(report.workers).toEqual([2, 3, 4]);
        expect(report.ids).toEqual([2, 3, 4]);
        await waitFor(() => sshdWorkers().length === 0, 10_000, "the run's workers to exit");
        const bad = spawnSync(
          process.execPath,
          [`${root}dist/src/cli/main.js`, 'run', '--machine-file', file.replace('machines', 'none'), 'x.mjs'],
          {
            cwd: root,
            encoding: 'utf8',
            timeout: 20_000,
          },
        );
        expect(bad.status).not.toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);

describe.skipIf(netnsWhy !== undefined)(
  `SSH workers on three namespace hosts${netnsWhy ? ` (skipped: ${netnsWhy})` : ''}`,
  () => {
    const daemons: ChildProcess[] = [];
    let dir = '';
    afterAll(async () => {
      for (const d of daemons) d.kill('SIGTERM');
      if (dir) rmSync(dir, { recursive: true, force: true });
      await waitFor(() => markedProcs(MARK).length === 0, 10_000, 'namespace workers to exit');
    });

    it('a master in clh1 runs a DArray powerMethod on workers in clh2 and clh3, all-to-all over 10.200.1.x, then through tunnels', async () => {
      // An sshd on each worker host, as on a real cluster; the client config is the CI one.
      dir = mkdtempSync(join(tmpdir(), 'darray-netns-'));
      const sshdConfig = readFileSync(sshConfig.replace(/ssh_config$/, 'sshd_config'), 'utf8');
      for (const i of [2, 3]) {
        const conf = join(dir, `sshd${i}.conf`);
        writeFileSync(
          conf,
          sshdConfig
            .replace(/^ListenAddress .*$/m, `ListenAddress 10.200.1.${i}`)
            .replace(/^PidFile .*$/m, `PidFile ${join(dir, `sshd${i}.pid`)}`),
        );
        daemons.push(
          spawn('ip', ['netns', 'exec', `clh${i}`, '/usr/sbin/sshd', '-D', '-f', conf], { stdio: 'ignore' }),
        );
      }
      const up = () =>
        [2, 3].every(
          (i) =>
            spawnSync('ip', ['netns', 'exec', 'clh1', 'ssh', '-F', sshConfig, `10.200.1.${i}`, 'true'], {
              timeout: 5000,
            }).status === 0,
        );
      await waitFor(up, 10_000, 'sshd in clh2 and clh3');
      const r = spawnSync(
        'ip',
        ['netns', 'exec', 'clh1', process.execPath, 'test/fixtures/ssh/netns-master.mjs', sshConfig, MARK],
        { cwd: root, encoding: 'utf8', timeout: 60_000 },
      );
      expect(r.stderr).toBe('');
      const report = JSON.parse(r.stdout) as {
        pids: number[];
        addresses: string[][];
        lambda: [number, number];
        sameVector: boolean;
        chained: number;
        sockets: string[];
        tunnelled: [number, number][];
        tunnelledSum: [number, number];
      };
      // Pids go in the order the workers joined, which either host may win.
      expect(report.addresses.map((a) => a.join()).sort()).toEqual(['10.200.1.2', '10.200.1.3']);
      expect(report.lambda[0]).toBeCloseTo(report.lambda[1], 10);
      expect(report.sameVector).toBe(true);
      expect(report.chained).toBe(report.pids[1]);
      // Worker 2 (10.200.1.2) holds a connection with worker 3 (10.200.1.3) and one with the master (.1).
      expect(report.sockets.some((s) => /^10\.200\.1\.2:\d+ 10\.200\.1\.3:\d+$/.test(s))).toBe(true);
      expect(report.sockets.some((s) => /^10\.200\.1\.2:\d+ 10\.200\.1\.1:\d+$/.test(s))).toBe(true);
      // Bound to their own 127.0.0.1, the tunnelled workers were reachable only through ssh.
      expect(report.tunnelled.map((t) => t[0])).toEqual([4, 5]);
      expect(report.tunnelledSum[0]).toBeCloseTo(report.tunnelledSum[1], 12);
    });
  },
);
