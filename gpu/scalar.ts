/** The scalar-indexing guard: element reads and writes on a GPUArray are refused unless allowed. */
import { AsyncLocalStorage } from 'node:async_hooks';

let allowedGlobally = false;
const scoped = new AsyncLocalStorage<boolean>();

/**
 * Allows (or forbids again) element-wise `get`/`set` on GPU arrays, the slow path that copies one
 * element per call across the bus (CUDA.jl's `allowscalar`). With a function, allows it only while
 * that function (sync or async) runs, and returns its result.
 *
 * @example
 * allowScalar(true);                       // everywhere from now on
 * await allowScalar(() => g.get(0));       // only inside
 */
export function allowScalar(flag: boolean): void;
export function allowScalar<T>(fn: () => T): T;
export function allowScalar<T>(arg: boolean | (() => T)): T | undefined {
  if (typeof arg === 'boolean') {
    allowedGlobally = arg;
    return undefined;
  }
  return scoped.run(true, arg);
}

/** Whether scalar indexing is allowed here (globally or inside an `allowScalar(fn)`). */
export function isScalarAllowed(): boolean {
  return allowedGlobally || scoped.getStore() === true;
}
