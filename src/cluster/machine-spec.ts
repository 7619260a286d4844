/**
 * Julia's machine specifications for SSH workers: `host`, `user@host:port`, `'N*host'`,
 * `[spec, count]`, each with an optional bind address (`'host 10.0.0.5[:port]'`), and machine files
 * (`--machine-file`) with one such spec a line.
 */
import { ArgumentError, describe } from '../errors.js';
import { parseHostPort } from './bind.js';

/** One entry of addprocs's host list: a spec string, or a spec and a worker count. */
export type HostSpec = string | readonly [spec: string, count: number];

/** A parsed machine: where ssh logs in, how many workers, and where they bind. */
export interface Machine {
  /** The spec as given, for messages. */
  spec: string;
  /** Login name (`user@`), or undefined for ssh's default. */
  user?: string;
  host: string;
  /** The ssh port (`:port`), or undefined for ssh's default. */
  port?: number;
  /** The address (and port) the workers bind and announce: Julia's bind_addr. */
  bindTo?: string;
  count: number;
}

const EXAMPLE = "e.g. 'node1', 'me@node2:2222', '4*node3', ['node4', 2] or 'node5 10.0.0.5'";

/** Parses one spec string `[count*][user@]host[:port] [bind_addr[:port]]`. */
export function parseMachine(spec: string, count = 1): Machine {
  const what = `addprocs: machine ${JSON.stringify(spec)}`;
  const words = spec.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0 || words.length > 2) {
    throw new ArgumentError(
      `${what}: expected '[count*][user@]host[:port] [bind_addr[:port]]', got ${words.length} words; ${EXAMPLE}`,
    );
  }
  let addr = words[0] as string;
  const star = /^(\d+)\*(.*)$/.exec(addr);
  if (star) {
    if (count !== 1) throw new ArgumentError(`${what}: give the count as 'N*host' or as [host, N], not both`);
    count = Number(star[1]);
    addr = star[2] as string;
  }
  if (!Number.isInteger(count) || count < 1) {
    throw new ArgumentError(`${what}: the worker count must be a positive integer, got ${describe(count)}`);
  }
  let user: string | undefined;
  const at = addr.lastIndexOf('@');
  if (at >= 0) {
    user = addr.slice(0, at);
    addr = addr.slice(at + 1);
    if (user === '') throw new ArgumentError(`${what}: empty user name before '@'; ${EXAMPLE}`);
  }
  const { host, port } = parseHostPort(addr, what);
  if (port === 0) throw new ArgumentError(`${what}: the ssh port must be 1..65535, got 0`);
  if (host.startsWith('-')) throw new ArgumentError(`${what}: a host name cannot start with '-'`);
  const bindTo = words[1];
  if (bindTo !== undefined) parseHostPort(bindTo, `${what}: bind address`);
  return { spec, user, host, port, bindTo, count };
}

/** Parses addprocs's host list. */
export function parseMachines(hosts: unknown): Machine[] {
  if (!Array.isArray(hosts) || hosts.length === 0) {
    throw new ArgumentError(
      `addprocs: expected a non-empty list of machines, got ${describe(hosts)}; ${EXAMPLE}`,
    );
  }
  return hosts.map((h: unknown) => {
    if (typeof h === 'string') return parseMachine(h);
    if (Array.isArray(h) && h.length === 2 && typeof h[0] === 'string' && typeof h[1] === 'number')
      return parseMachine(h[0], h[1]);
    throw new ArgumentError(
      `addprocs: a machine must be a string or [string, count], got ${describe(h)}; ${EXAMPLE}`,
    );
  });
}

/**
 * The specs of a machine file (Julia's `--machine-file`): one `[count*][user@]host[:port]
 * [bind_addr[:port]]` a line; `#` starts a comment; blank lines are skipped. Each is checked here,
 * so a bad line is reported with its number.
 */
export function machineFileSpecs(text: string, file: string): string[] {
  const specs: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    try {
      parseMachine(line);
    } catch (e) {
      throw new ArgumentError(`${file}:${i + 1}: ${(e as Error).message}`);
    }
    specs.push(line);
  });
  if (specs.length === 0) throw new ArgumentError(`${file}: the machine file lists no machines`);
  return specs;
}
