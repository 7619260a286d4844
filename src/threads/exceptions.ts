/** The error threadsFor rejects with when an iteration throws on one of its threads. */
import type { CapturedError } from '../remote/exceptions.js';

/**
 * An iteration of threadsFor threw on thread `threadid` (Julia's TaskFailedException from
 * `@threads`). `captured` holds the thread's error as text, as RemoteException does for a process;
 * when several threads fail, threadsFor rejects with a CompositeException of these.
 *
 * @example
 * try { await threadsFor([0, 8], (i) => { if (i === 5) throw new RangeError('no') }) }
 * catch (e) { if (e instanceof ThreadException) console.log(e.threadid, e.iteration, e.captured.name) }
 */
export class ThreadException extends Error {
  override name = 'ThreadException';
  constructor(
    readonly threadid: number,
    /** The index the body was called with when it threw; undefined when the thread itself failed. */
    readonly iteration: number | undefined,
    readonly captured: CapturedError,
  ) {
    super(
      `on thread ${threadid}${iteration === undefined ? '' : `, iteration ${iteration}`}: ${captured.name}: ${captured.message}`,
    );
    this.stack = `${this.name}: ${this.message}\n  thread stack (thread ${threadid}):\n${captured.stack}`;
  }
}
