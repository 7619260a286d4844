/**
 * interrupt(): a worker that receives SIGINT fails the calls it is running with
 * InterruptException. JavaScript cannot stop synchronous code from outside, so a call in a busy
 * synchronous loop is failed when it next yields to the event loop.
 */
import { InterruptException } from './exceptions.js';

const running = new Set<(err: Error) => void>();

/** Runs `work`, failing early with InterruptException if this process is interrupted meanwhile. */
export function interruptible<T>(work: Promise<T>): Promise<T> {
  let cancel!: (err: Error) => void;
  const stop = new Promise<never>((_, reject) => {
    cancel = reject;
  });
  running.add(cancel);
  return Promise.race([work, stop]).finally(() => running.delete(cancel));
}

/** Fails every call running on this process with InterruptException. */
export function interruptRunning(): void {
  const all = [...running];
  running.clear();
  for (const cancel of all) cancel(new InterruptException());
}
