/**
 * SSH port forwarding from the master to a worker (Julia's ssh_tunnel): `ssh -L` forwards a free
 * port of 127.0.0.1 here to the worker's address as seen from its host, so only ssh needs to be
 * open between them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Socket, connect as tcpConnect } from 'node:net';

/** How to run ssh to one host: the client, its flags (port, user, multiplexing), the host. */
export interface SshTarget {
  exe: string;
  flags: string[];
  host: string;
}

const READY = 'darray-tunnel-ready';

/** A free TCP port on 127.0.0.1 (ssh then binds it; a rare clash is retried). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts `ssh -L` and resolves once the forward listens. The remote side prints a line and then
 * waits on its stdin, so the tunnel ends when this process goes (its stdin pipe closes) or when
 * the returned process is killed.
 */
export async function openTunnel(
  target: SshTarget,
  to: { host: string; port: number },
  timeoutMs: number,
): Promise<{ process: ChildProcess; port: number }> {
  let last = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      target.exe,
      [
        '-T',
        '-a',
        '-x',
        '-o',
        'ExitOnForwardFailure=yes',
        ...target.flags,
        '-L',
        `127.0.0.1:${port}:${to.host}:${to.port}`,
        target.host,
        `echo ${READY} && exec cat >/dev/null`,
      ],
      { stdio: ['pipe', 'pipe', 'pipe'], detached: true },
    );
    child.stdin.on('error', () => {});
    const ok = await new Promise<boolean>((resolve) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => {
        err += `no forward within ${timeoutMs / 1000} s`;
        child.kill('SIGKILL');
      }, timeoutMs);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes(READY)) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        last = `${err.trim()} (ssh exit code ${code})`;
        resolve(false);
      });
    });
    if (ok) return { process: child, port };
  }
  throw new Error(
    `SSHManager: could not open an ssh tunnel to ${to.host}:${to.port} on ${target.host}: ${last}`,
  );
}

/** Opens a TCP connection, failing with a message that names the address. */
export function tcpDial(host: string, port: number, label: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = tcpConnect({ host, port });
    s.once('connect', () => {
      s.off('error', onError);
      resolve(s);
    });
    const onError = (e: Error) => reject(new Error(`SSHManager: cannot connect to ${label}: ${e.message}`));
    s.once('error', onError);
  });
}
