/** Errors that cross process boundaries, named as in Julia's Distributed. */

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

/** The process a call or reference depended on exited, or was removed, before answering. */
export class ProcessExitedException extends Error {
  override name = 'ProcessExitedException';
  constructor(
    readonly workerId: number,
    detail = '',
  ) {
    super(
      `worker ${workerId} has exited${detail ? ` (${detail})` : ''}; workers() lists the live ones, and addprocs() starts more`,
    );
  }
}

/** A running remote call was stopped by `interrupt()`. */
export class InterruptException extends Error {
  override name = 'InterruptException';
  constructor() {
    super('interrupted by interrupt()');
  }
}

/** Turns any thrown value into the captured form that crosses the wire. */
export function capture(err: unknown): CapturedError {
  if (err instanceof Error) {
    return { name: err.name, message: err.message, stack: err.stack ?? `${err.name}: ${err.message}` };
  }
  const text = typeof err === 'string' ? err : safeString(err);
  return { name: 'Error', message: `non-Error value thrown: ${text}`, stack: '' };
}

function safeString(x: unknown): string {
  try {
    return JSON.stringify(x) ?? String(x);
  } catch {
    return String(x);
  }
}
