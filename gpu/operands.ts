/**
 * What every GPU backend's kernels do first with their arguments: find the backend instance among
 * them, and take a GPUArray's own storage (refusing one on another backend). Each backend's
 * operands.ts adds how a host array or a number becomes its kind of operand.
 */
import { ArgumentError } from '../src/errors.js';
import { GPUArray } from './array.js';
import type { GPUBackend, GPUBackendName, GPUStorage } from './backend.js';

/** The backend instance of the first GPUArray on `name` among `args`. */
export function backendOfArgs<B extends GPUBackend>(
  name: GPUBackendName,
  op: string,
  args: readonly unknown[],
): B {
  for (const a of args) if (a instanceof GPUArray && a.backend === name) return a.impl as B;
  throw new ArgumentError(`${op} (${name}): expected at least one GPUArray on '${name}' among the arguments`);
}

/** The storage of `a` when it is a GPUArray on `name` (undefined when it is not a GPUArray at all). */
export function ownStorage<S extends GPUStorage>(
  name: GPUBackendName,
  a: unknown,
  op: string,
): S | undefined {
  if (!(a instanceof GPUArray)) return undefined;
  if (a.backend !== name)
    throw new ArgumentError(`${op}: got a GPUArray on '${a.backend}' where '${name}' was expected`);
  return a.storage as S;
}
