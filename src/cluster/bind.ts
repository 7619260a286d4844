/**
 * Where a worker listens and which address it announces (Julia's `--bind-to` / `bind_addr`). Only
 * 127.0.0.1 unless asked otherwise: restrict false, an explicit bindTo, or a network interface.
 */
import { networkInterfaces } from 'node:os';
import { ArgumentError, describe } from '../errors.js';

/** How the master asks a worker to bind. */
export interface BindOptions {
  /** Bind to 127.0.0.1 only (default true); false binds every interface. */
  restrict?: boolean;
  /** `address[:port]` to bind and announce, e.g. '10.0.0.5' or '10.0.0.5:9000'; overrides restrict. */
  bindTo?: string;
  /** A network interface ('eth0', 'ib0') whose first IPv4 address is bound and announced. */
  interface?: string;
}

/** The socket address to listen on and the address other processes are told to dial. */
export interface BindPlan {
  listenHost: string;
  listenPort: number;
  announceHost: string;
}

/** Splits `host[:port]` (IPv6 as `[addr]:port`); the port must be 0..65535. */
export function parseHostPort(spec: string, what: string): { host: string; port?: number } {
  let host = spec;
  let port: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(spec);
  if (v6) {
    host = v6[1] as string;
    port = v6[2];
  } else if (spec.split(':').length === 2) {
    [host, port] = spec.split(':') as [string, string];
  } else if (spec.includes(':') && spec.split(':').length > 2) {
    // A bare IPv6 address has no port.
    host = spec;
  }
  if (host === '' || /\s/.test(host) || /[[\]]/.test(host)) {
    throw new ArgumentError(`${what}: expected host[:port], got ${describe(spec)}`);
  }
  if (port === undefined) return { host };
  const n = Number(port);
  if (!/^\d+$/.test(port) || n > 65535) {
    throw new ArgumentError(
      `${what}: the port in ${describe(spec)} must be an integer 0..65535, got '${port}'`,
    );
  }
  return { host, port: n };
}

/** Checks the bind options of addprocs or startWorker, so bad input fails before anything starts. */
export function checkBindOptions(o: BindOptions, what: string): void {
  if (o.bindTo !== undefined) {
    if (typeof o.bindTo !== 'string')
      throw new ArgumentError(`${what}: bindTo must be a string 'address[:port]', got ${describe(o.bindTo)}`);
    parseHostPort(o.bindTo, `${what}: bindTo`);
  }
  if (o.interface !== undefined && (typeof o.interface !== 'string' || o.interface === '')) {
    throw new ArgumentError(
      `${what}: interface must be a network interface name such as 'eth0', got ${describe(o.interface)}`,
    );
  }
  if (o.bindTo !== undefined && o.interface !== undefined) {
    throw new ArgumentError(
      `${what}: give bindTo or interface, not both (got bindTo '${o.bindTo}' and interface '${o.interface}')`,
    );
  }
}

/** Decides where this worker listens; reads the interfaces of this machine for `interface`. */
export function bindPlan(o: BindOptions): BindPlan {
  checkBindOptions(o, 'startWorker');
  if (o.interface !== undefined) {
    const address = interfaceAddress(o.interface);
    return { listenHost: address, listenPort: 0, announceHost: address };
  }
  if (o.bindTo !== undefined) {
    const { host, port } = parseHostPort(o.bindTo, 'startWorker: bindTo');
    const any = host === '0.0.0.0' || host === '::';
    return { listenHost: host, listenPort: port ?? 0, announceHost: any ? externalAddress() : host };
  }
  if (o.restrict ?? true) return { listenHost: '127.0.0.1', listenPort: 0, announceHost: '127.0.0.1' };
  return { listenHost: '0.0.0.0', listenPort: 0, announceHost: externalAddress() };
}

/** The worker's command-line flags for these options (see worker-main.ts). */
export function bindArgs(o: BindOptions): string[] {
  if (o.interface !== undefined) return ['--interface', o.interface];
  if (o.bindTo !== undefined) return ['--bind-to', o.bindTo];
  return (o.restrict ?? true) ? [] : ['--bind-all'];
}

/** Reads `--bind-all`, `--bind-to X` and `--interface X` from a worker's arguments. */
export function bindFromArgs(argv: readonly string[]): BindOptions {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    restrict: !argv.includes('--bind-all'),
    bindTo: value('--bind-to'),
    interface: value('--interface'),
  };
}

function interfaceAddress(name: string): string {
  const all = networkInterfaces();
  const list = all[name];
  if (!list) {
    throw new ArgumentError(
      `interface: no network interface '${name}' on this machine; it has ${Object.keys(all).join(', ')}`,
    );
  }
  const v4 = list.find((a) => a.family === 'IPv4');
  if (!v4) throw new ArgumentError(`interface: the interface '${name}' has no IPv4 address`);
  return v4.address;
}

/** The first non-internal IPv4 address, for a worker bound to every interface. */
export function externalAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}
