/** The backend and kernel registry: kernels by (op, backend), backends by name and priority. */
import { ArgumentError, describe, MissingKernelError } from '../errors.js';
import type { AnyArray, OpKernels, OpName } from './protocol.js';

const kernels = new Map<string, OpKernels[OpName]>();
const key = (op: string, backend: string): string => `${op}\u0000${backend}`;

/**
 * Registers the kernel for `op` on `backend`, replacing any earlier one.
 *
 * @example
 * registerKernel('norm', 'webgpu', async (x, p) => ...);
 */
export function registerKernel<K extends OpName>(op: K, backend: string, kernel: OpKernels[K]): void {
  if (typeof kernel !== 'function')
    throw new ArgumentError(`registerKernel: expected a function for '${op}', got ${describe(kernel)}`);
  kernels.set(key(op, backend), kernel);
}

/** Removes the kernel for `op` on `backend`; true if there was one. */
export function unregisterKernel(op: OpName, backend: string): boolean {
  return kernels.delete(key(op, backend));
}

/** The kernel for `op` on `backend`; throws MissingKernelError naming both when there is none. */
export function getKernel<K extends OpName>(op: K, backend: string): OpKernels[K] {
  const k = kernels.get(key(op, backend));
  if (!k) throw new MissingKernelError(op, backend);
  return k as OpKernels[K];
}

/** Whether a kernel is registered for `op` on `backend`. */
export function hasKernel(op: OpName, backend: string): boolean {
  return kernels.has(key(op, backend));
}

/** Whether a value implements the array protocol. */
export function isArrayLike(x: unknown): x is AnyArray {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as AnyArray).backend === 'string' &&
    typeof (x as AnyArray).dtype === 'string' &&
    Array.isArray((x as AnyArray).shape)
  );
}

/**
 * The backend an op runs on for these arguments: that of its non-cpu arrays (they must agree), or
 * 'cpu' when every array is an NDArray. Numbers do not count.
 */
export function backendOf(op: string, args: readonly unknown[]): string {
  let found = 'cpu';
  for (const a of args) {
    if (!isArrayLike(a) || a.backend === 'cpu' || a.backend === found) continue;
    if (found !== 'cpu')
      throw new ArgumentError(
        `${op}: arrays on backends '${found}' and '${a.backend}' cannot be combined; ` +
          'move one with collect() or gpu() first',
      );
    found = a.backend;
  }
  return found;
}

/** A backend instance; backends may add anything (a GPU device, a worker pool). */
export interface Backend {
  readonly name: string;
  dispose?(): void | Promise<void>;
}

interface BackendEntry {
  factory: () => Backend | Promise<Backend>;
  priority: number;
  instance?: Promise<Backend>;
}

const backends = new Map<string, BackendEntry>();

/**
 * Registers a backend by name with a factory (run once, on first use) and a priority (higher is
 * preferred by {@link findBackend}). Replaces an earlier registration of the same name.
 */
export function registerBackend(name: string, factory: () => Backend | Promise<Backend>, priority = 0): void {
  backends.set(name, { factory, priority });
}

/** Removes a backend, disposing its instance if one was made. */
export async function removeBackend(name: string): Promise<void> {
  const e = backends.get(name);
  backends.delete(name);
  if (e?.instance) await (await e.instance.catch(() => undefined))?.dispose?.();
}

/** Registered backend names, highest priority first. */
export function backendNames(): string[] {
  return [...backends.entries()].sort((a, b) => b[1].priority - a[1].priority).map(([n]) => n);
}

/** The instance of a registered backend, created by its factory on first call. */
export function getBackend(name: string): Promise<Backend> {
  const e = backends.get(name);
  if (!e)
    return Promise.reject(
      new ArgumentError(`no backend named '${name}'; registered: ${backendNames().join(', ') || 'none'}`),
    );
  e.instance ??= Promise.resolve().then(e.factory);
  // A failed factory may succeed later (a device that appears), so its failure is not cached.
  e.instance.catch(() => {
    if (backends.get(name) === e) e.instance = undefined;
  });
  return e.instance;
}

/**
 * The highest-priority backend whose factory succeeds, among those `accept` allows.
 * Throws when none does, listing why each failed.
 */
export async function findBackend(accept: (name: string) => boolean = () => true): Promise<Backend> {
  const failures: string[] = [];
  for (const name of backendNames().filter(accept)) {
    try {
      return await getBackend(name);
    } catch (e) {
      failures.push(`${name}: ${(e as Error).message}`);
    }
  }
  throw new Error(`no usable backend${failures.length ? ` (${failures.join('; ')})` : ''}`);
}
