/** Threads: Julia's Base.Threads (threadsFor, Atomic, nthreads, threadid) on worker_threads. */
export { Atomic, type AtomicDtype } from './atomic.js';
export { nthreads, setThreads, threadid } from './config.js';
export { ThreadException } from './exceptions.js';
export { threadsFor } from './threads-for.js';
export { registerThreadTransfer, type ThreadTransfer } from './transfer.js';
