/**
 * Whether this process is waiting on something that only another process can complete (a take on
 * a channel that workers feed, a Future a worker will put). While it is, the master keeps its
 * connections referenced so Node does not exit; when nothing is pending, an idle master may exit.
 */
let holds = 0;
const listeners = new Set<() => void>();

/** Marks one pending wait; call the returned function (once) when it ends. */
export function hold(): () => void {
  if (holds++ === 0) for (const l of listeners) l();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holds === 0) for (const l of listeners) l();
  };
}

/** Whether any wait is pending now, i.e. whether connections must keep the process alive. */
export function isHeld(): boolean {
  return holds > 0;
}

/** Called whenever the process goes from idle to waiting or back. */
export function onHoldChange(fn: () => void): void {
  listeners.add(fn);
}

/** Wraps a promise executor's callbacks so the wait is held until it settles. */
export function held<T>(
  resolve: (v: T) => void,
  reject: (e: Error) => void,
): { resolve: (v: T) => void; reject: (e: Error) => void } {
  const release = hold();
  return {
    resolve: (v) => {
      release();
      resolve(v);
    },
    reject: (e) => {
      release();
      reject(e);
    },
  };
}
