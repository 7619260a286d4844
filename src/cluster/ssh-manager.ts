/**
 * SSHManager: workers on other hosts through the system `ssh` client (Julia's SSHManager). The
 * cookie goes over ssh's stdin, never on a command line; the remote worker exits when that stdin
 * closes, so killing the local ssh process ends a worker that never joined.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ArgumentError, describe } from '../errors.js';
import { bindArgs } from './bind.js';
import { type HostSpec, type Machine, parseMachines } from './machine-spec.js';
import type { ClusterManager, LaunchParams, ManageOp, WorkerConfig } from './manager.js';
import { PID_MARK, type RemoteShell, remoteCommand, splitFlags } from './ssh-command.js';
import { openTunnel, type SshTarget, tcpDial } from './ssh-tunnel.js';
import { ANNOUNCE } from './worker.js';

/** The options of SSHManager, which `addprocs(hosts, opts)` takes beside the common ones. */
export interface SSHOptions {
  /** Reach each worker through `ssh -L` port forwarding, so only ssh must be open (default false). */
  tunnel?: boolean;
  /** Extra ssh flags, as a string ('-F cfg -i key') or one array element per word. */
  sshflags?: string | readonly string[];
  /** Share one ssh connection per host (OpenSSH ControlMaster) among its workers and tunnels. */
  multiplex?: boolean;
  /** At most this many ssh sessions starting at once per host (default 10, sshd's MaxStartups). */
  maxParallel?: number;
  /** The remote login shell's family: 'posix' (default) or 'csh' (csh, tcsh). */
  shell?: RemoteShell;
  /** The ssh client (default 'ssh'). */
  ssh?: string;
  /** Path of the worker entry on the remote hosts (default: this install's dist/src/cluster/worker-main.js). */
  workerScript?: string;
}

/** The option names of SSHManager, for addprocs's option check. */
export const SSH_OPTION_NAMES = [
  'tunnel',
  'sshflags',
  'multiplex',
  'maxParallel',
  'shell',
  'ssh',
  'workerScript',
] as const satisfies readonly (keyof SSHOptions)[];

/** What SSHManager keeps in each WorkerConfig's userdata. */
interface SshWorker {
  machine: Machine;
  target: SshTarget;
  /** addprocs's timeout, in seconds: also the bound on opening the tunnel. */
  timeoutS: number;
  /** The worker's process id on its host, printed by the remote shell before it becomes the worker. */
  remotePid?: number;
  tunnel?: ChildProcess;
}

/** How long an idle shared ssh connection (multiplex) outlives its last worker, in seconds. */
const CONTROL_PERSIST_S = 3;

/**
 * Starts workers on other machines over the system `ssh` client, as many per host as its spec
 * says ('N*host'); Node and this package must be installed at the same paths there (or pass
 * `workerScript`). `addprocs(hosts, opts)` builds one for you. With `tunnel`, the master reaches each worker through an ssh port
 * forward, so only ssh need be open; `multiplex` shares one ssh connection per host.
 *
 * @example const pids = await addprocs(['node1', '2*me@node2:2222'], { tunnel: true, sshflags: '-i ~/.ssh/cluster' })
 */
export class SSHManager implements ClusterManager {
  readonly name = 'ssh';
  readonly machines: Machine[];
  private readonly opts: Required<Omit<SSHOptions, 'workerScript' | 'sshflags'>> & {
    sshflags: string[];
    workerScript?: string;
  };
  /** With multiplex, the private directory of this manager's ControlMaster sockets. */
  controlDir?: string;

  /**
   * @param hosts machine specs: 'host', 'user@host:port', 'N*host', [spec, N], 'host bind_addr[:port]'
   * @param opts the SSH options
   * @example await addprocs(new SSHManager(['node1', ['me@node2:2222', 4]], { tunnel: true }))
   */
  constructor(hosts: readonly HostSpec[], opts: SSHOptions = {}) {
    this.machines = parseMachines(hosts);
    const o = opts as Record<string, unknown>;
    for (const k of ['tunnel', 'multiplex'] as const) {
      if (o[k] !== undefined && typeof o[k] !== 'boolean')
        throw new ArgumentError(`SSHManager: ${k} must be true or false, got ${describe(o[k])}`);
    }
    const sshflags = opts.sshflags ?? [];
    if (
      typeof sshflags !== 'string' &&
      !(Array.isArray(sshflags) && sshflags.every((f: unknown) => typeof f === 'string'))
    ) {
      throw new ArgumentError(
        `SSHManager: sshflags must be a string or an array of strings, got ${describe(sshflags)}`,
      );
    }
    const maxParallel = opts.maxParallel ?? 10;
    if (!Number.isInteger(maxParallel) || maxParallel < 1) {
      throw new ArgumentError(
        `SSHManager: maxParallel must be a positive integer, got ${describe(maxParallel)}`,
      );
    }
    const shell = opts.shell ?? 'posix';
    if (shell !== 'posix' && shell !== 'csh') {
      throw new ArgumentError(
        `SSHManager: shell must be 'posix' (sh, bash, zsh…) or 'csh' (csh, tcsh), got ${describe(shell)}`,
      );
    }
    for (const k of ['ssh', 'workerScript'] as const) {
      if (o[k] !== undefined && (typeof o[k] !== 'string' || o[k] === ''))
        throw new ArgumentError(`SSHManager: ${k} must be a non-empty string, got ${describe(o[k])}`);
    }
    this.opts = {
      tunnel: opts.tunnel ?? false,
      multiplex: opts.multiplex ?? false,
      sshflags: splitFlags(sshflags),
      maxParallel,
      shell,
      ssh: opts.ssh ?? 'ssh',
      workerScript: opts.workerScript,
    };
  }

  async launch(params: LaunchParams): Promise<WorkerConfig[]> {
    const timeoutS = params.timeout ?? 60;
    // Each worker's ssh must have started it by then; addprocs's own deadline starts later.
    const deadline = Date.now() + timeoutS * 1000;
    const slots = new Map<string, Slots>();
    const configs: WorkerConfig[] = [];
    for (const machine of this.machines) {
      const target = this.target(machine, timeoutS);
      const key = `${machine.user ?? ''}@${machine.host}:${machine.port ?? ''}`;
      let hostSlots = slots.get(key);
      if (!hostSlots) {
        slots.set(key, (hostSlots = new Slots(this.opts.maxParallel)));
        // One shared connection per host, open before its sessions start so they need not race
        // to become the master. A failure shows again, with the host named, in the sessions.
        if (this.opts.multiplex) await runSsh(target, ['-N', '-f'], timeoutS * 1000);
      }
      // Built before anything starts, so a bad env name or shell word fails at once.
      const command = remoteCommand(
        {
          exename: params.exename,
          args: [
            ...params.exeflags,
            this.opts.workerScript ?? params.workerScript,
            ...bindArgs({ ...params, bindTo: machine.bindTo ?? params.bindTo }),
          ],
          dir: params.dir,
          env: { DARRAY_THREADS: '1', ...params.env },
        },
        this.opts.shell,
      );
      for (let i = 0; i < machine.count; i++) {
        const data: SshWorker = { machine, target, timeoutS };
        const config: WorkerConfig = {
          io: new PassThrough(),
          err: new PassThrough(),
          userdata: data,
          where: describeMachine(machine),
        };
        configs.push(config);
        void hostSlots.run(() => this.start(config, data, command, params.cookie, deadline, timeoutS));
      }
    }
    return configs;
  }

  /** The ssh client, flags and host for a machine. */
  private target(m: Machine, timeoutS: number): SshTarget {
    const flags = ['-o', `ConnectTimeout=${Math.max(1, Math.ceil(timeoutS))}`, ...this.opts.sshflags];
    if (m.port !== undefined) flags.push('-p', String(m.port));
    if (m.user !== undefined) flags.push('-l', m.user);
    if (this.opts.multiplex) {
      this.controlDir ??= makeControlDir();
      flags.push(
        '-o',
        'ControlMaster=auto',
        '-o',
        `ControlPath=${join(this.controlDir, '%C')}`,
        '-o',
        `ControlPersist=${CONTROL_PERSIST_S}`,
      );
    }
    return { exe: this.opts.ssh, flags, host: m.host };
  }

  /**
   * Starts one worker's ssh session; resolves once the worker announced its address or the session
   * ended, which frees the host's slot. Past the deadline the session is killed, naming the host.
   */
  private start(
    config: WorkerConfig,
    data: SshWorker,
    command: string,
    cookie: string,
    deadline: number,
    timeoutS: number,
  ): Promise<void> {
    const io = config.io as PassThrough;
    const err = config.err as PassThrough;
    const where = describeMachine(data.machine);
    if (Date.now() >= deadline) {
      io.end(`darray: ssh to ${where} not started: no free slot within ${timeoutS} s (maxParallel)\n`);
      err.end();
      return Promise.resolve();
    }
    const { target } = data;
    const child = spawn(
      target.exe,
      ['-T', '-a', '-x', '-o', 'ClearAllForwardings=yes', ...target.flags, target.host, command],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
        // Its own process group, as Julia's detach: a Ctrl-C at the master's terminal reaches workers
        // only through interrupt().
        detached: true,
      },
    );
    config.process = child;
    child.stdin.on('error', () => {});
    // The cookie is the worker's first line of stdin.
    child.stdin.write(`${cookie}\n`);
    child.stderr.pipe(err, { end: false });
    return new Promise((resolve) => {
      let started = false;
      let head = '';
      const timer = setTimeout(() => {
        io.write(`darray: no worker started on ${where} within ${timeoutS} s; stopped its ssh\n`);
        child.kill('SIGKILL');
      }, deadline - Date.now());
      const begin = () => {
        started = true;
        clearTimeout(timer);
        resolve();
      };
      child.stdout.on('data', (chunk: Buffer) => {
        if (started) {
          io.write(chunk);
          return;
        }
        head += chunk.toString('utf8');
        for (let nl = head.indexOf('\n'); nl >= 0 && !started; nl = head.indexOf('\n')) {
          const line = head.slice(0, nl);
          head = head.slice(nl + 1);
          const mark = new RegExp(`^${PID_MARK} (\\d+)\\s*$`).exec(line);
          if (mark) data.remotePid = Number(mark[1]);
          else io.write(`${line}\n`);
          if (line.startsWith(ANNOUNCE)) begin();
        }
        if (started && head !== '') io.write(head);
      });
      let ended = false;
      const end = (why: string) => {
        if (ended) return;
        ended = true;
        clearTimeout(timer);
        data.tunnel?.kill('SIGKILL');
        if (!started) {
          if (head !== '') io.write(`${head}\n`);
          io.write(`darray: ssh to ${where} ended (${why}) before the worker started\n`);
          resolve();
        }
        io.end();
        if (!err.writableEnded) err.end();
      };
      child.once('error', (e) => end(`could not run ${target.exe}: ${e.message}`));
      child.once('close', (code, signal) => end(signal ? `killed by ${signal}` : `exit code ${code}`));
    });
  }

  async connect(_pid: number, config: WorkerConfig): Promise<Socket> {
    const data = config.userdata as SshWorker;
    const host = config.host as string;
    const port = config.port as number;
    if (this.opts.tunnel) {
      const tunnel = await openTunnel(data.target, { host, port }, data.timeoutS * 1000);
      data.tunnel = tunnel.process;
      const p = config.process;
      // The worker's session ended while the tunnel opened: nothing must keep the tunnel.
      if (p && (p.exitCode !== null || p.signalCode !== null)) tunnel.process.kill('SIGKILL');
      return tcpDial(
        '127.0.0.1',
        tunnel.port,
        `worker ${host}:${port} on ${data.machine.host} through its ssh tunnel`,
      );
    }
    if (isLoopback(host) && !isLoopback(data.machine.host)) {
      throw new Error(
        `SSHManager: the worker on ${data.machine.host} listens on ${host} only, which this machine cannot reach; ` +
          `pass tunnel: true, restrict: false, bindTo, or a bind address in the machine spec ('${data.machine.host} <address>')`,
      );
    }
    return tcpDial(host, port, `worker ${host}:${port} on ${data.machine.host}`);
  }

  manage(_pid: number, config: WorkerConfig, op: ManageOp): void {
    const data = config.userdata as SshWorker;
    if (op === 'register') {
      // An idle master must be free to exit; the worker follows when its ssh session closes.
      for (const p of [config.process, data.tunnel]) {
        p?.unref();
        for (const s of [p?.stdin, p?.stdout, p?.stderr])
          (s as unknown as Socket | null | undefined)?.unref?.();
      }
    } else if (op === 'deregister') {
      data.tunnel?.kill('SIGKILL');
    } else if (op === 'interrupt') {
      this.remoteSignal(data, 'INT');
    }
  }

  async kill(_pid: number, config: WorkerConfig): Promise<void> {
    const data = config.userdata as SshWorker;
    // A worker stuck in synchronous code does not see its stdin close: signal it on its host too.
    await this.remoteSignal(data, 'KILL');
    config.process?.kill('SIGKILL');
    data.tunnel?.kill('SIGKILL');
  }

  /** Sends a signal to the worker process on its host (a second, short ssh session). */
  private async remoteSignal(data: SshWorker, sig: 'INT' | 'KILL'): Promise<void> {
    if (data.remotePid !== undefined) await runSsh(data.target, [], 30_000, `kill -${sig} ${data.remotePid}`);
  }
}

/** Runs a short ssh command to the target, bounded in time; resolves whether it worked. */
function runSsh(t: SshTarget, extra: string[], timeoutMs: number, command?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const args = ['-T', '-a', '-x', '-n', ...t.flags, ...extra, t.host];
    const p = spawn(t.exe, command === undefined ? args : [...args, command], {
      stdio: 'ignore',
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    p.once('close', (code) => resolve(code === 0));
    p.once('error', () => resolve(false));
  });
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** A private directory for ControlMaster sockets, removed when this process exits. */
function makeControlDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'darray-ssh-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A counting semaphore: at most `n` tasks of one host run at once. */
class Slots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly n: number) {}

  async run(task: () => Promise<void>): Promise<void> {
    if (this.running >= this.n) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

/** How errors name a machine: `host node1 port 2222`. */
function describeMachine(m: Machine): string {
  return `host ${m.host}${m.port ? ` port ${m.port}` : ''}`;
}
