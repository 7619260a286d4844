/**
 * The start-up timeout per worker (Julia's JULIA_WORKER_TIMEOUT): addprocs' `timeout` option or
 * DARRAY_WORKER_TIMEOUT bounds launch to join; a late worker fails addprocs with an error naming
 * it, and no process of it is left.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  ArgumentError,
  addprocs,
  type ClusterManager,
  type LaunchParams,
  type WorkerConfig,
  workers,
} from '../../src/index.js';
import { alive, removeAllAndCheck, waitFor } from './leaks.js';

afterAll(removeAllAndCheck);
afterEach(() => {
  delete process.env.DARRAY_WORKER_TIMEOUT;
});

/**
 * Launches real processes: `mute` ones print nothing (a worker stuck before listening); real
 * workers otherwise, whose `connect` never opens (a transport stuck once the address is known).
 */
class SlowManager implements ClusterManager {
  readonly name = 'slow';
  readonly children: ChildProcess[] = [];
  constructor(private readonly how: 'mute' | 'hang') {}
  async launch(params: LaunchParams): Promise<WorkerConfig[]> {
    const args = this.how === 'mute' ? ['-e', 'setInterval(() => {}, 1000)'] : [params.workerScript];
    const child = spawn(params.exename, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.on('error', () => {});
    child.stdin.write(`${params.cookie}\n`);
    this.children.push(child);
    // A `hang` worker's address is given, so the time runs out in connect, not before it.
    const at = this.how === 'hang' ? { host: '127.0.0.1', port: 9 } : {};
    return [{ process: child, io: child.stdout, err: child.stderr, where: 'rack 7 slot 3', ...at }];
  }
  manage(): void {}
  connect(): Promise<Socket> {
    return new Promise(() => {});
  }
}

async function failsWithin(manager: SlowManager, opts: { timeout?: number }, ms: number): Promise<Error> {
  const t0 = Date.now();
  const err = (await addprocs(manager, opts).catch((e: unknown) => e)) as Error;
  expect(err).toBeInstanceOf(Error);
  expect(Date.now() - t0).toBeLessThan(ms);
  expect(workers()).toEqual([1]);
  const pid = manager.children[0]?.pid as number;
  await waitFor(() => !alive(pid), 3000, 'the late worker to be killed');
  return err;
}

describe('worker start-up timeout', () => {
  it('a worker that never announces fails addprocs, named (with its WorkerConfig.where), and is killed', async () => {
    const m = new SlowManager('mute');
    const err = await failsWithin(m, { timeout: 0.5 }, 5000);
    expect(err.message).toMatch(
      // `where` names the worker before it has an address, whichever timer fires first.
      new RegExp(
        `worker 1 of 1 of manager 'slow', OS pid ${m.children[0]?.pid}, on rack 7 slot 3: .*within 0.5 s`,
      ),
    );
  });

  it('a worker whose connection never opens fails addprocs within the timeout too', async () => {
    const m = new SlowManager('hang');
    const err = await failsWithin(m, { timeout: 1.5 }, 6000);
    expect(err.message).toMatch(
      /worker 1 of 1 of manager 'slow', OS pid \d+, at 127\.0\.0\.1:9: it did not announce its address, connect and join within 1.5 s \(addprocs option timeout, or DARRAY_WORKER_TIMEOUT/,
    );
  });

  it('DARRAY_WORKER_TIMEOUT sets the default, in seconds', async () => {
    process.env.DARRAY_WORKER_TIMEOUT = '0.5';
    const err = await failsWithin(new SlowManager('mute'), {}, 5000);
    expect(err.message).toMatch(/within 0.5 s/);
  });

  it('bad values are refused with what was expected', async () => {
    await expect(addprocs(1, { timeout: 0 })).rejects.toThrow(
      /timeout must be a positive number of seconds, got number 0/,
    );
    process.env.DARRAY_WORKER_TIMEOUT = 'never';
    await expect(addprocs(1)).rejects.toThrow(ArgumentError);
    await expect(addprocs(1)).rejects.toThrow(
      /DARRAY_WORKER_TIMEOUT must be a positive number of seconds, got 'never'/,
    );
    expect(workers()).toEqual([1]);
  });
});
