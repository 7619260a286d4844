/**
 * Distributed.jl test/distributed_exec.jl, ported: the cluster itself — calls before any worker
 * exists, adding and removing workers, launch failures, cookies, worker start-up options and the
 * processes' environment (lines 15–30, 779–800, 1263–1338, 1628–1739, 1803–1813, 1858–1976 and
 * 1980–2000 of the Julia file). The tests run in order and add and remove their own workers.
 * Each is named after the Julia block it ports and its line; UNMAPPED.md lists the blocks left out.
 */
import { execFile, spawn as spawnProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { state } from '../../src/cluster/state.js';
import {
  addprocs,
  type ClusterManager,
  clusterCookie,
  distributedFor,
  everywhere,
  type LaunchParams,
  myid,
  nprocs,
  pmap,
  procs,
  RemoteException,
  remote,
  remotecallFetch,
  remoteDo,
  rmprocs,
  type WorkerConfig,
  workers,
} from '../../src/index.js';
import { removeAllAndCheck, waitFor } from '../integration/leaks.js';
import { sleep } from './cluster.js';

afterAll(removeAllAndCheck);

const distIndex = pathToFileURL(resolve('dist/src/index.js')).href;

/** Collects what is written to a stream while `body` runs. */
async function capture(stream: NodeJS.WriteStream, body: () => Promise<void>): Promise<string> {
  const chunks: string[] = [];
  const spy = vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    await body();
  } finally {
    spy.mockRestore();
  }
  return chunks.join('');
}

/**
 * A cluster manager that starts `node <args>` itself (Julia's test managers that run a custom
 * command line); with `writeCookie` it hands the cookie over stdin as LocalManager does.
 */
class CommandManager implements ClusterManager {
  readonly name = 'conformance-command';
  constructor(
    private readonly args: (params: LaunchParams) => string[],
    private readonly writeCookie: boolean,
  ) {}
  async launch(params: LaunchParams): Promise<WorkerConfig[]> {
    const child = spawnProcess(params.exename, this.args(params), {
      cwd: params.dir,
      env: { ...process.env, ...params.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdin.on('error', () => {});
    if (this.writeCookie) child.stdin.write(`${params.cookie}\n`);
    return [{ process: child, io: child.stdout, err: child.stderr }];
  }
  manage(): void {}
  async kill(_pid: number, config: WorkerConfig): Promise<void> {
    config.process?.kill('SIGKILL');
  }
}

describe('before any worker exists', () => {
  it('distributed_exec.jl:15 clusterCookie() is a string', () => {
    expect(typeof clusterCookie()).toBe('string');
  });

  it('distributed_exec.jl:23 remote(myid)() runs on process 1 when there are no workers', async () => {
    expect(workers()).toEqual([1]);
    expect(await remote(myid)()).toBe(1);
  });

  it('distributed_exec.jl:24 pmap runs on process 1 when there are no workers', async () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(await pmap((x: number) => x, xs)).toEqual(xs);
  });

  it('distributed_exec.jl:25 distributedFor runs on process 1 when there are no workers', async () => {
    expect(
      await distributedFor(
        [1, 101],
        () => 1,
        (a, b) => a + b,
      ),
    ).toBe(100);
  });
});

describe('a cluster of two workers', () => {
  it('distributed_exec.jl:29 addprocs(n) adds n workers', async () => {
    await addprocs(2);
    expect(nprocs()).toBe(3);
  });

  it('distributed_exec.jl:783 (full test) an error in remoteDo is shown, and the worker keeps serving', async () => {
    const other = workers()[0] as number;
    const shown = await capture(process.stderr, async () => {
      remoteDo(() => {
        throw new Error('TESTING EXCEPTION ON REMOTE DO. PLEASE IGNORE');
      }, other);
      await sleep(300);
    });
    expect(shown).toMatch(/TESTING EXCEPTION ON REMOTE DO/);
    expect(await remotecallFetch(() => myid(), other)).toBe(other);
  });

  it('distributed_exec.jl:792 (full test) workers refuse garbage sent to their port and keep serving', async () => {
    const all = workers();
    for (const p of all) {
      const entry = state.peers.get(p);
      if (!entry) throw new Error(`no address known for worker ${p}`);
      await new Promise<void>((done) => {
        const s = connect({ host: entry.host, port: entry.port }, () => {
          s.end(randomBytes(32));
        });
        // Read what the worker answers, so its closing the connection is seen here.
        s.resume();
        s.on('error', () => done());
        s.on('close', () => done());
      });
    }
    await sleep(200);
    expect(workers()).toEqual(all);
    for (const p of all) expect(await remotecallFetch(() => myid(), p)).toBe(p);
  });

  it('distributed_exec.jl:1263 only process 1 can add or remove workers', async () => {
    const other = workers()[0] as number;
    for (const f of [() => addprocs(1), () => rmprocs(workers())]) {
      const e = await remotecallFetch(f, other).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(RemoteException);
      expect((e as RemoteException).captured.message).toMatch(/process 1/);
    }
  });
});

describe('launch failures', () => {
  const cases: [string, string, number | undefined, RegExp][] = [
    ['exits with an error', 'process.exit(255)', undefined, /exited/],
    [
      'prints many lines but never its address',
      'for (let x = 1; x <= 1001; x++) console.log(x)',
      undefined,
      /address|host:port/i,
    ],
    ['never announces its address in time', 'setTimeout(() => {}, 10000)', 1, /within 1 s|timed out/i],
  ];
  for (const [what, code, timeout, message] of cases) {
    it(`distributed_exec.jl:1275 addprocs fails clearly when the launched process ${what}`, async () => {
      const manager = new CommandManager(() => ['-e', code], false);
      let err: unknown;
      const out = await capture(process.stdout, async () => {
        err = await addprocs(manager, timeout === undefined ? {} : { timeout }).catch((e: unknown) => e);
      });
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(message);
      // Nothing the failed process printed is relayed as if it were a worker's output.
      expect(out).not.toMatch(/^1001$/m);
      expect(workers()).toHaveLength(2);
    });
  }
});

describe('working directory and environment of workers', () => {
  it('distributed_exec.jl:1628 a worker started in another directory loads files relative to it', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'darray-conf-')));
    mkdirSync(join(dir, '2'));
    writeFileSync(
      join(dir, '2', 'testfile.mjs'),
      "import { twice } from './testfile2.mjs';\nexport const value = (id) => 23.32 + 32 + id + twice(id);\n",
    );
    writeFileSync(join(dir, '2', 'testfile2.mjs'), 'export const twice = (id) => id * 2;\n');
    const [p] = (await addprocs(1, { dir })) as [number];
    try {
      expect(await remotecallFetch(() => process.cwd(), p)).toBe(dir);
      const got = await remotecallFetch(
        async (rel: string) => {
          const { resolve } = await import('node:path');
          const { pathToFileURL } = await import('node:url');
          const m = (await import(pathToFileURL(resolve(rel)).href)) as { value(id: number): number };
          return m.value(myid());
        },
        p,
        join('2', 'testfile.mjs'),
      );
      expect(got).toBeCloseTo(55.32 + p * 3, 10);
      // Here, the same relative path does not name that file.
      await expect(import(pathToFileURL(resolve(join('2', 'testfile.mjs'))).href)).rejects.toThrow();
    } finally {
      await rmprocs(p);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('distributed_exec.jl:1858 (#28781) workers inherit the environment; env and exeflags override it', async () => {
    process.env.DARRAY_CONF_INHERITED = 'from-master';
    try {
      const [p] = (await addprocs(1, {
        env: { DARRAY_CONF_GIVEN: 'given' },
        exeflags: ['--max-old-space-size=256'],
      })) as [number];
      try {
        const seen = await remotecallFetch(
          () => [
            process.env.DARRAY_CONF_INHERITED,
            process.env.DARRAY_CONF_GIVEN,
            process.execArgv.includes('--max-old-space-size=256'),
            process.execPath,
          ],
          p,
        );
        expect(seen).toEqual(['from-master', 'given', true, process.execPath]);
      } finally {
        await rmprocs(p);
      }
    } finally {
      delete process.env.DARRAY_CONF_INHERITED;
    }
  });

  it('distributed_exec.jl:1803 (#28966) a script that adds a worker and defines a function everywhere exits by itself', async () => {
    const script = `
      import { addprocs, everywhere, myid, remotecallFetch, workers } from ${JSON.stringify(distIndex)};
      await addprocs(1);
      await everywhere(() => { globalThis.f = () => myid(); });
      for (const w of workers()) {
        if ((await remotecallFetch(() => f(), w)) !== w) throw new Error('f() ran on the wrong process');
      }
    `;
    const code = await new Promise<number | null>((done) => {
      const child = execFile(
        process.execPath,
        ['--input-type=module', '-e', script],
        { timeout: 30_000 },
        () => {},
      );
      child.on('exit', (c) => done(c));
    });
    expect(code).toBe(0);
  });
});

describe('removing workers', () => {
  it('distributed_exec.jl:1985 (#45785) removing a cooperative worker prints nothing', async () => {
    const [w] = (await addprocs(1)) as [number];
    const text = await capture(process.stderr, () => rmprocs([w]));
    expect(text).toBe('');
  });

  it('distributed_exec.jl:1990 (#45785) a worker that ignores the request to exit is killed, with a warning', async () => {
    const [w] = (await addprocs(1)) as [number];
    const osPid = await remotecallFetch(() => process.pid, w);
    remoteDo(() => {
      // Make the exit that rmprocs asks for do nothing.
      process.exit = (() => undefined) as never;
    }, w);
    await sleep(100);
    const warnings: string[] = [];
    const warnSpy = vi.spyOn(console, 'warn').mockImplementation((...a: unknown[]) => {
      warnings.push(a.map(String).join(' '));
    });
    let text = '';
    try {
      text = await capture(process.stderr, () => rmprocs([w], { waitfor: 1 }));
    } finally {
      warnSpy.mockRestore();
    }
    expect(`${text}\n${warnings.join('\n')}`).toMatch(/kill/i);
    await waitFor(
      () => {
        try {
          process.kill(osPid, 0);
          return false;
        } catch {
          return true;
        }
      },
      10_000,
      'the stubborn worker to be killed',
    );
  });
});

describe('cookies and worker start-up', () => {
  const workerArgs = (params: LaunchParams) => [...params.exeflags, params.workerScript];

  it('distributed_exec.jl:1688 a worker launched by a custom manager, given the cookie on stdin, joins', async () => {
    if (workers()[0] !== 1) await rmprocs(workers());
    const [p] = (await addprocs(new CommandManager(workerArgs, true))) as [number];
    expect(await remotecallFetch(() => myid(), p)).toBe(p);
    await rmprocs(p);
  });

  it('distributed_exec.jl:1692 an empty string is a valid cookie', async () => {
    const before = clusterCookie();
    try {
      clusterCookie('');
      const [p] = (await addprocs(new CommandManager(workerArgs, true))) as [number];
      expect(await remotecallFetch(() => myid(), p)).toBe(p);
      await rmprocs(p);
    } finally {
      clusterCookie(before);
    }
  });

  it('distributed_exec.jl:1697 a custom cookie is used by the workers launched after it is set', async () => {
    const before = clusterCookie();
    try {
      clusterCookie('foobar');
      const [p] = (await addprocs(new CommandManager(workerArgs, true))) as [number];
      expect(await remotecallFetch(() => myid(), p)).toBe(p);
      await rmprocs(p);
    } finally {
      clusterCookie(before);
    }
  });

  for (const closeStdin of [true, false])
    for (const stderrToStdout of [true, false]) {
      it(`distributed_exec.jl:1729 (#31035) startWorker with closeStdin=${closeStdin}, stderrToStdout=${stderrToStdout}`, async () => {
        const manager = new CommandManager(
          (params) => [
            ...params.exeflags,
            '--input-type=module',
            '-e',
            `import { startWorker } from ${JSON.stringify(distIndex)};
             await startWorker({ cookie: ${JSON.stringify(params.cookie)}, closeStdin: ${closeStdin}, stderrToStdout: ${stderrToStdout} });`,
          ],
          false,
        );
        const [p] = (await addprocs(manager)) as [number];
        try {
          expect(await remotecallFetch(() => myid(), p)).toBe(p);
          const stdinOpen = await remotecallFetch(
            () => !process.stdin.destroyed && process.stdin.readable,
            p,
          );
          expect(stdinOpen).toBe(!closeStdin);
          const marker = `stderr-marker-${p}-${closeStdin}-${stderrToStdout}`;
          const out = await capture(process.stdout, async () => {
            await remotecallFetch((m: string) => console.error(m), p, marker);
            await sleep(200);
          });
          expect(out.includes(marker)).toBe(stderrToStdout);
        } finally {
          await rmprocs(p);
        }
      });
    }
});

describe('everywhere on a fresh cluster', () => {
  it('distributed_exec.jl:1741 (#22865) on a new cluster, a function defined everywhere calls another worker', async () => {
    const [p1, p2] = (await addprocs(2)) as [number, number];
    await everywhere(() => {
      (globalThis as Record<string, unknown>).f22865fresh = (p: number) =>
        remotecallFetch((x: number[]) => x.map((v) => v * 2), p, [1, 1]);
    });
    const call = (p: number) =>
      ((globalThis as Record<string, unknown>).f22865fresh as (p: number) => Promise<number[]>)(p);
    expect(await remotecallFetch(call, p1, p2)).toEqual([2, 2]);
    await rmprocs([p1, p2]);
    delete (globalThis as Record<string, unknown>).f22865fresh;
    expect(procs()).toEqual([1]);
  });
});
