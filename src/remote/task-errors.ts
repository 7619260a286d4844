/**
 * A rejection that no code awaits (an un-awaited promise in user code) would end a Node process.
 * On a worker it is logged instead, as Julia logs a failed task, and the worker keeps serving.
 */
import { state } from '../cluster/state.js';
import { capture } from './exceptions.js';

let installed = false;

/** Makes this process log unhandled rejections (with its id) instead of exiting on them. */
export function logUnhandledRejections(): void {
  if (installed) return;
  installed = true;
  process.on('unhandledRejection', (reason) => {
    const c = capture(reason);
    const text = c.stack || `${c.name}: ${c.message}`;
    // stderr reaches the master, which prints it as `From worker N:`.
    process.stderr.write(`darray: unhandled error in a task on worker ${state.myid}: ${text}\n`);
  });
}
