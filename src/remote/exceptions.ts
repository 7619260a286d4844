/** Errors that cross process boundaries, named as in Julia's Distributed. */

// Defined in errors.ts (the cluster layer throws it too); re-exported here for existing importers.
export { ProcessExitedException } from '../errors.js';

/** The error captured on the remote process: its name, message and stack as text. */
export interface CapturedError {
  name: string;
  message: string;
  stack: string;
}

/**
 * A call on process `pid` threw. `captured` holds the remote error's name, message and stack.
 *
 * @example
 * try { await remotecallFetch(() => { throw new RangeError('no') }, 2) }
 * catch (e) { if (e instanceof RemoteException) console.log(e.pid, e.captured.name) } // 2 'RangeError'
 */
export class RemoteException extends Error {
  override name = 'RemoteException';
  constructor(
    readonly pid: number,
    readonly captured: CapturedError,
  ) {
    super(`on worker ${pid}: ${captured.name}: ${captured.message}`);
    this.stack = `${this.name}: ${this.message}\n  remote stack (worker ${pid}):\n${captured.stack}`;
  }
}

/** A running remote call was stopped by `interrupt()`. */
export class InterruptException extends Error {
  override name = 'InterruptException';
  constructor() {
    super('interrupted by interrupt()');
  }
}

/**
 * Several processes (or threads, for threadsFor) failed one operation (Julia's CompositeException): `errors` holds each
 * process's exception (a RemoteException, or ProcessExitedException for one that went away), in
 * process order, so that no failure hides another. It is an AggregateError, as JavaScript code expects.
 *
 * @example
 * try { await everywhere(() => { throw new Error('no') }) }
 * catch (e) { if (e instanceof CompositeException) for (const r of e.errors) console.log(r.message) }
 */
export class CompositeException extends AggregateError {
  override name = 'CompositeException';
  declare readonly errors: Error[];
  constructor(errors: Error[], what = 'the operation', unit: 'process' | 'thread' = 'process') {
    const units = errors.length === 1 ? unit : unit === 'process' ? 'processes' : 'threads';
    super(
      errors,
      `${what} failed on ${errors.length} ${units}:\n` +
        errors.map((e) => `  ${e.name}: ${e.message}`).join('\n'),
    );
  }
}

/**
 * Turns any thrown value into the captured form that crosses the wire. Never throws: a value
 * whose name, message, stack, toJSON or toString throws is described by what could be read.
 */
export function capture(err: unknown): CapturedError {
  let isError = false;
  try {
    isError = err instanceof Error;
  } catch {
    // A Proxy whose prototype trap throws: described below as a non-Error value.
  }
  if (isError) {
    const e = err as Error;
    const name = readText(() => e.name) ?? 'Error';
    const message =
      readText(() => e.message) ?? `(its message could not be read: ${unreadable(() => e.message)})`;
    const stack = readText(() => e.stack) ?? `${name}: ${message}`;
    return { name, message, stack };
  }
  const text = typeof err === 'string' ? err : safeString(err);
  return { name: 'Error', message: `non-Error value thrown: ${text}`, stack: '' };
}

/** Reads a property as text, or undefined when it is missing or reading it throws. */
function readText(get: () => unknown): string | undefined {
  try {
    const v = get();
    if (v === undefined || v === null) return undefined;
    return typeof v === 'string' ? v : safeString(v);
  } catch {
    return undefined;
  }
}

/** Why reading a property failed, for the message that replaces it. */
function unreadable(get: () => unknown): string {
  try {
    const v = get();
    return v === undefined || v === null ? 'it is empty' : 'it is not text';
  } catch (inner) {
    try {
      return inner instanceof Error
        ? `reading it threw ${String(inner.name)}: ${String(inner.message)}`
        : 'reading it threw';
    } catch {
      return 'reading it threw';
    }
  }
}

/** Text for any value, falling back step by step when toJSON or toString throw. */
function safeString(x: unknown): string {
  for (const attempt of [() => JSON.stringify(x), () => String(x), () => Object.prototype.toString.call(x)]) {
    try {
      const s = attempt();
      if (typeof s === 'string') return s;
    } catch {
      // Try the next way.
    }
  }
  return `an unprintable ${typeof x}`;
}
