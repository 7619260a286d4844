import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Connection } from '../../src/cluster/connection.js';
import { state } from '../../src/cluster/state.js';
import { encodeFrame } from '../../src/cluster/wire/frame.js';
import { workerScript } from '../../src/cluster/worker-script.js';
import {
  addprocs,
  interrupt,
  ProcessExitedException,
  RemoteException,
  remotecall,
  remotecallFetch,
  rmprocs,
  workers,
} from '../../src/index.js';
import { alive, childWorkerPids, removeAllAndCheck, waitFor } from './leaks.js';

afterAll(removeAllAndCheck);

describe('a worker that dies', () => {
  it('fails pending calls with ProcessExitedException, leaves workers(), and fails later calls at once', async () => {
    const [p] = await addprocs(1);
    if (p === undefined) throw new Error('no worker');
    const osPid = await remotecallFetch(() => process.pid, p);
    const pending = remotecallFetch(() => new Promise(() => {}), p);
    const fut = remotecall(() => new Promise(() => {}), p);
    process.kill(osPid, 'SIGKILL');
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProcessExitedException);
    expect((err as ProcessExitedException).workerId).toBe(p);
    await expect(fut.fetch()).rejects.toBeInstanceOf(ProcessExitedException);
    await waitFor(() => !workers().includes(p), 5000, 'the dead worker to leave workers()');
    const t0 = Date.now();
    await expect(remotecallFetch(() => 1, p)).rejects.toThrow(new RegExp(`worker ${p} has exited`));
    expect(Date.now() - t0).toBeLessThan(100);
  });
});

describe('a worker whose master goes away', () => {
  it('exits when its connection to the master drops, though its stdin stays open', async () => {
    const [p] = await addprocs(1);
    if (p === undefined) throw new Error('no worker');
    const osPid = await remotecallFetch(() => process.pid, p);
    const child = state.peers.get(p)?.config?.process;
    // The master keeps the worker's stdin open, so only the lost connection can tell it to go.
    expect(child?.stdin?.writable).toBe(true);
    state.conns.get(p)?.socket.destroy();
    await waitFor(() => !alive(osPid), 5000, 'the worker to exit after losing its master');
  });
});

describe('rmprocs and interrupt', () => {
  it('rmprocs fails calls in flight and removes the process', async () => {
    const [p] = await addprocs(1);
    if (p === undefined) throw new Error('no worker');
    const osPid = await remotecallFetch(() => process.pid, p);
    const pending = remotecallFetch(() => new Promise(() => {}), p).catch((e: unknown) => e);
    await rmprocs(p, { waitfor: 5 });
    expect(await pending).toBeInstanceOf(ProcessExitedException);
    expect(workers()).not.toContain(p);
    await waitFor(() => !alive(osPid), 5000, 'the removed worker to exit');
    await expect(rmprocs(p)).rejects.toThrow(/no worker with id/);
    await expect(rmprocs(1)).rejects.toThrow(/master/);
  });

  it('interrupt() fails a running call with InterruptException and the worker keeps serving', async () => {
    const [p] = await addprocs(1);
    if (p === undefined) throw new Error('no worker');
    const running = remotecallFetch(() => new Promise((r) => setTimeout(r, 20_000)), p);
    await new Promise((r) => setTimeout(r, 100));
    interrupt(p);
    const err = (await running.catch((e: unknown) => e)) as RemoteException;
    expect(err).toBeInstanceOf(RemoteException);
    expect(err.captured.name).toBe('InterruptException');
    expect(await remotecallFetch(() => 'still here', p)).toBe('still here');
    await rmprocs(p);
  });
});

describe('worker output', () => {
  it('reaches the master prefixed with the worker id', async () => {
    const [p] = await addprocs(1);
    if (p === undefined) throw new Error('no worker');
    const writes: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      await remotecallFetch(() => console.log('hello from the other side'), p);
      await waitFor(
        () => writes.some((w) => w.includes('hello from the other side')),
        5000,
        'the relayed line',
      );
    } finally {
      spy.mockRestore();
    }
    expect(writes.find((w) => w.includes('hello from the other side'))).toBe(
      `From worker ${p}:\thello from the other side\n`,
    );
    await rmprocs(p);
  });
});

describe('authentication', () => {
  /** Starts a bare worker with a known cookie and returns its address. */
  async function bareWorker(cookie: string) {
    const child = spawn(process.execPath, [workerScript()], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.write(`${cookie}\n`);
    const lines = createInterface({ input: child.stdout });
    const first = await new Promise<string>((r) => lines.once('line', r));
    const m = /(\S+):(\d+)$/.exec(first);
    if (!m) throw new Error(`bad announcement: ${first}`);
    const stderr: string[] = [];
    child.stderr.on('data', (d: Buffer) => stderr.push(d.toString()));
    return { child, host: m[1] as string, port: Number(m[2]), stderr };
  }

  function handshake(host: string, port: number, cookie: string): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port }, () => {
        const conn = new Connection(socket, {
          role: 'connector',
          cookie,
          myid: () => 1,
          refWhileIdle: false,
          onMessage: () => {},
          onClose: () => {},
          log: () => {},
        });
        conn.ready.then(() => resolve(conn), reject);
      });
      socket.on('error', reject);
    });
  }

  it('refuses a wrong cookie in both directions without sending it, logs, and keeps serving', async () => {
    const w = await bareWorker('right-cookie');
    try {
      await expect(handshake(w.host, w.port, 'wrong-cookie')).rejects.toThrow(
        /authentication failed|refused/,
      );
      await waitFor(() => w.stderr.join('').includes('refused connection'), 5000, 'the refusal to be logged');
      const ok = await handshake(w.host, w.port, 'right-cookie');
      expect(ok.isOpen).toBe(true);
      ok.close('test done');
    } finally {
      w.child.kill('SIGKILL');
    }
  });

  it('the cookie never appears on a worker command line', async () => {
    const [p] = await addprocs(1);
    if (p === undefined) throw new Error('no worker');
    const { clusterCookie } = await import('../../src/index.js');
    for (const pid of childWorkerPids()) {
      const { readFileSync } = await import('node:fs');
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).not.toContain(clusterCookie());
    }
    await rmprocs(p);
  });
});

describe('wire failures', () => {
  it('a frame whose body cannot be decoded fails only its own call', async () => {
    const [p] = await addprocs(1);
    if (p === undefined) throw new Error('no worker');
    await remotecallFetch(() => 1, p);
    const conn = state.conns.get(p);
    if (!conn) throw new Error('no connection');
    const whole = Buffer.concat(encodeFrame({ k: 'call', m: 'fetch', id: 987654 }, [1, 2]));
    // Corrupt the body: 0xc1 is a byte msgpack never uses. Layout: u32 length | u32 envLen |
    // u32 bodyLen | u32 nbufs (0) | env | body.
    const bodyAt = 16 + whole.readUInt32LE(4);
    whole.fill(0xc1, bodyAt, bodyAt + whole.readUInt32LE(8));
    const reply = await conn.requestEncoded(987654, [whole]);
    expect(reply.env.ok).toBe(false);
    expect(String((reply.decodeBody() as { message: string }).message)).toMatch(/could not be decoded/);
    expect(await remotecallFetch(() => 'alive', p)).toBe('alive');
    await rmprocs(p);
  });
});

describe('topology', () => {
  it('master_worker refuses worker-to-worker calls with a message that says how to allow them', async () => {
    const [a, b] = await addprocs(2, { topology: 'master_worker' });
    if (a === undefined || b === undefined) throw new Error('no workers');
    const err = (await remotecallFetch((q: number) => remotecallFetch(() => 1, q), a, b).catch(
      (e: unknown) => e,
    )) as RemoteException;
    expect(err).toBeInstanceOf(RemoteException);
    expect(err.captured.message).toMatch(/master_worker.*all_to_all/);
    await rmprocs([a, b]);
    // Once every worker is gone the topology may change again.
    const [c, d] = await addprocs(2, { topology: 'all_to_all', lazy: false });
    if (c === undefined || d === undefined) throw new Error('no workers');
    expect(await remotecallFetch((q: number) => remotecallFetch(() => myid(), q), c, d)).toBe(d);
    await rmprocs([c, d]);
  });
});

declare function myid(): number;
