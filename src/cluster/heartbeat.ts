/**
 * Heartbeats: how a process notices a peer whose host went silent (a network partition, a frozen
 * machine) when no FIN or RST ever arrives and the TCP connection just stops carrying bytes. Each
 * side of a connection sends a tiny frame when it has sent nothing for `interval`, so a busy
 * connection carries no heartbeats at all; a peer from which nothing at all has arrived for
 * `timeout` is treated as dead. While the event loop is blocked, a helper thread beats instead
 * (heartbeat-thread.ts). The settings are the cluster's: the master picks them at the first
 * addprocs and hands them to each worker when it joins.
 */
import { ArgumentError, describe } from '../errors.js';

/** Heartbeat settings, in seconds, as `addprocs` takes them. */
export interface HeartbeatOptions {
  /** Send a heartbeat after this long without sending anything (default 1 s). */
  interval?: number;
  /** Treat the peer as dead after this long without receiving anything (default 10 s). */
  timeout?: number;
}

/** The settings in effect, in milliseconds; undefined when heartbeats are off. */
export interface HeartbeatConfig {
  intervalMs: number;
  timeoutMs: number;
}

const DEFAULT_INTERVAL_S = 1;
/**
 * Over TCP a process busy in synchronous code still beats, from a helper thread (see
 * heartbeat-thread.ts), so the timeout need not outlast the longest call there.
 */
const DEFAULT_TIMEOUT_S = 10;

/** Until the master sets them (or a worker joins), the environment's settings apply. */
let current: HeartbeatConfig | undefined | 'unset' = 'unset';

function positiveSeconds(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ArgumentError(`${what} must be a positive number of seconds, got ${describe(value)}`);
  }
  return value;
}

function envSeconds(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    throw new ArgumentError(`environment variable ${name} must be a number of seconds >= 0, got '${raw}'`);
  }
  return n;
}

/**
 * The defaults, overridden by DARRAY_HEARTBEAT_INTERVAL and DARRAY_HEARTBEAT_TIMEOUT (seconds;
 * a timeout of 0 turns heartbeats off).
 */
function fromEnvironment(): HeartbeatConfig | undefined {
  const timeout = envSeconds('DARRAY_HEARTBEAT_TIMEOUT') ?? DEFAULT_TIMEOUT_S;
  if (timeout === 0) return undefined;
  const interval = envSeconds('DARRAY_HEARTBEAT_INTERVAL') ?? Math.min(DEFAULT_INTERVAL_S, timeout / 4);
  if (interval === 0 || interval >= timeout) {
    throw new ArgumentError(
      `DARRAY_HEARTBEAT_INTERVAL (${interval} s) must be positive and shorter than DARRAY_HEARTBEAT_TIMEOUT (${timeout} s)`,
    );
  }
  return { intervalMs: interval * 1000, timeoutMs: timeout * 1000 };
}

/**
 * Checks the `heartbeat` option of addprocs: settings, or false to turn heartbeats off. Missing
 * fields take the environment's or default values; the interval defaults to at most a quarter of
 * the timeout, so that a few heartbeats may be lost before the peer counts as dead.
 */
export function parseHeartbeat(opt: HeartbeatOptions | false | undefined): HeartbeatConfig | undefined {
  if (opt === undefined) return fromEnvironment();
  if (opt === false) return undefined;
  if (typeof opt !== 'object' || opt === null || Array.isArray(opt)) {
    throw new ArgumentError(
      `addprocs: heartbeat must be { interval, timeout } in seconds or false, got ${describe(opt)}`,
    );
  }
  for (const k of Object.keys(opt)) {
    if (k !== 'interval' && k !== 'timeout')
      throw new ArgumentError(`addprocs: unknown heartbeat field '${k}'; the fields are interval, timeout`);
  }
  const base = fromEnvironment();
  const timeout =
    opt.timeout === undefined
      ? (base?.timeoutMs ?? DEFAULT_TIMEOUT_S * 1000) / 1000
      : positiveSeconds(opt.timeout, 'addprocs: heartbeat.timeout');
  const interval =
    opt.interval === undefined
      ? Math.min((base?.intervalMs ?? DEFAULT_INTERVAL_S * 1000) / 1000, timeout / 4)
      : positiveSeconds(opt.interval, 'addprocs: heartbeat.interval');
  if (interval >= timeout) {
    throw new ArgumentError(
      `addprocs: heartbeat.interval (${interval} s) must be shorter than heartbeat.timeout (${timeout} s), ` +
        'or a peer would count as dead between two heartbeats',
    );
  }
  return { intervalMs: interval * 1000, timeoutMs: timeout * 1000 };
}

/** The heartbeat settings of this process's connections. */
export function heartbeatConfig(): HeartbeatConfig | undefined {
  if (current === 'unset') {
    try {
      current = fromEnvironment();
    } catch {
      // A bad variable is reported by addprocs; a worker keeps the defaults until it joins.
      current = { intervalMs: DEFAULT_INTERVAL_S * 1000, timeoutMs: DEFAULT_TIMEOUT_S * 1000 };
    }
  }
  return current;
}

/** Sets them: the master at the first addprocs, a worker when it joins. */
export function setHeartbeatConfig(cfg: HeartbeatConfig | undefined): void {
  current = cfg;
}
