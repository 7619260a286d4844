/** The backend and kernel registry: kernels by (op, backend), backends by name and priority. */
import { ArgumentError, describe, MissingKernelError } from '../errors.js';
import type { AnyArray, OpKernels, OpName } from './protocol.js';

const kernels = new Map<string, OpKernels[OpName]>();
const key = (op: string, backend: string): string => `${op}\u0000${backend}`;

/**
 * A faster variant of a kernel: given the kernel it stands in front of (`next`), the kernel to run
 * instead. It handles the calls it can (e.g. WASM SIMD over the shared heap) and passes the others on.
 */
export type KernelVariant<K extends OpName> = (next: OpKernels[K]) => OpKernels[K];

interface VariantEntry {
  name: string;
  priority: number;
  wrap: KernelVariant<OpName>;
}

const variants = new Map<string, VariantEntry[]>();
// The kernel with its variants in front, made once per change rather than on every op.
const composed = new Map<string, OpKernels[OpName]>();

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
  composed.delete(key(op, backend));
}

/** Removes the kernel for `op` on `backend`; true if there was one. */
export function unregisterKernel(op: OpName, backend: string): boolean {
  composed.delete(key(op, backend));
  return kernels.delete(key(op, backend));
}

/**
 * Puts a named variant in front of the kernel for `op` on `backend`; variants of higher priority
 * run first. Replaces an earlier variant of the same name.
 *
 * @example
 * registerKernelVariant('mul', 'cpu', 'wasm', (next) => (a, b, out) => simd(a, b, out) ?? next(a, b, out), 10);
 */
export function registerKernelVariant<K extends OpName>(
  op: K,
  backend: string,
  name: string,
  variant: KernelVariant<K>,
  priority = 0,
): void {
  if (typeof variant !== 'function')
    throw new ArgumentError(
      `registerKernelVariant: expected a function for '${op}' on '${backend}', got ${describe(variant)}`,
    );
  const k = key(op, backend);
  const list = (variants.get(k) ?? []).filter((v) => v.name !== name);
  list.push({ name, priority, wrap: variant as unknown as KernelVariant<OpName> });
  variants.set(k, list);
  composed.delete(k);
}

/** Removes the variant `name` of the kernel for `op` on `backend`; true if there was one. */
export function removeKernelVariant(op: OpName, backend: string, name: string): boolean {
  const k = key(op, backend);
  const list = variants.get(k) ?? [];
  const rest = list.filter((v) => v.name !== name);
  if (rest.length === list.length) return false;
  if (rest.length) variants.set(k, rest);
  else variants.delete(k);
  composed.delete(k);
  return true;
}

/** Makes a kernel for an op a backend registered none for (e.g. one delegating to another backend). */
export type KernelFallback = <K extends OpName>(op: K) => OpKernels[K] | undefined;

const fallbacks = new Map<string, KernelFallback>();

/**
 * Lets `backend` answer ops it registered no kernel for, such as those added after it was written
 * (backend 'shared' runs the 'cpu' kernel over its memory). Explicit kernels still come first.
 */
export function registerKernelFallback(backend: string, fallback: KernelFallback): void {
  fallbacks.set(backend, fallback);
  for (const k of composed.keys()) if (k.endsWith(`\u0000${backend}`)) composed.delete(k);
}

/**
 * The kernel for `op` on `backend`, with its variants in front; throws MissingKernelError naming
 * both when there is none.
 */
export function getKernel<K extends OpName>(op: K, backend: string): OpKernels[K] {
  const k = key(op, backend);
  const done = composed.get(k);
  if (done) return done as OpKernels[K];
  const base = kernels.get(k) ?? fallbacks.get(backend)?.(op);
  if (!base) throw new MissingKernelError(op, backend);
  // The lowest priority wraps the kernel first, so the highest ends up outermost and runs first.
  const order = [...(variants.get(k) ?? [])].sort((a, b) => a.priority - b.priority);
  const fn = order.reduce((next, v) => v.wrap(next), base);
  composed.set(k, fn);
  return fn as OpKernels[K];
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
  /** The instance once its factory has succeeded. */
  made?: Backend;
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
  e.instance ??= Promise.resolve()
    .then(e.factory)
    .then((b) => {
      e.made = b;
      return b;
    });
  // A failed factory may succeed later (a device that appears), so its failure is not cached.
  e.instance.catch(() => {
    if (backends.get(name) === e) e.instance = undefined;
  });
  return e.instance;
}

/** The instance of backend `name` if its factory has already succeeded, else undefined; creates nothing. */
export function createdBackend(name: string): Backend | undefined {
  return backends.get(name)?.made;
}

/** Options of {@link findBackend}. */
export interface FindOptions {
  /** Called when the backend found is not the first choice, with why each earlier one failed. */
  onFallback?(backend: Backend, failures: readonly string[]): void;
  /** The error thrown when none starts, given the failures joined (default: a plain Error). */
  noneStarted?(failures: string): Error;
}

/**
 * The highest-priority backend whose factory succeeds, among those `accept` allows.
 * Throws when none does, listing why each failed.
 */
export async function findBackend(
  accept: (name: string) => boolean = () => true,
  options: FindOptions = {},
): Promise<Backend> {
  const failures: string[] = [];
  for (const name of backendNames().filter(accept)) {
    try {
      const b = await getBackend(name);
      if (failures.length > 0) options.onFallback?.(b, failures);
      return b;
    } catch (e) {
      failures.push(`${name}: ${(e as Error).message}`);
    }
  }
  if (options.noneStarted) throw options.noneStarted(failures.join('; '));
  throw new Error(`no usable backend${failures.length ? ` (${failures.join('; ')})` : ''}`);
}

/**
 * Where large host arrays are allocated (the CPU backend's shared WASM heap, where its SIMD kernels
 * and thread pool read them in place). Without one, arrays use ordinary ArrayBuffers.
 */
export interface HostAllocator {
  /**
   * Reserves `bytes` whose life is tied to `owner` (released when `owner` is collected, or by
   * release); the buffer and byte offset of the block, or undefined when there is no room.
   */
  allocate(owner: object, bytes: number): { buffer: ArrayBufferLike; offset: number } | undefined;
  /** Releases the block of `owner` now; false if it has none. */
  release(owner: object): boolean;
}

let allocator: HostAllocator | undefined;

/** Sets (or, with undefined, removes) the allocator of large host arrays. */
export function setHostAllocator(a: HostAllocator | undefined): void {
  allocator = a;
}

/** The allocator of large host arrays, if a backend registered one. */
export function hostAllocator(): HostAllocator | undefined {
  return allocator;
}
