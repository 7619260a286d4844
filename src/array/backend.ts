/**
 * A backend as one definition: its name, priority, lazy factory, op→kernel map, upload from the host
 * and what else is per backend. Each folder under kernels/ exports one; the entry files register
 * them, and every list of backends (gpu(), DArray chunks, the CLI, error messages) is read from here.
 */
import { ArgumentError, describe } from '../errors.js';
import type { NDArray } from './ndarray.js';
import type { AnyArray, OpKernels, OpName } from './protocol.js';
import {
  type Backend,
  getBackend,
  type HostAllocator,
  type KernelFallback,
  type KernelVariant,
  registerBackend,
  registerKernel,
  registerKernelFallback,
  registerKernelVariant,
  removeKernelVariant,
  setHostAllocator,
} from './registry.js';

/** Kernels by op name. */
export type KernelTable = { readonly [K in OpName]?: OpKernels[K] };
/** Kernel variants by op name. */
export type VariantTable = { readonly [K in OpName]?: KernelVariant<K> };

/** A backend that arrays live on: NDArray's 'cpu', or a GPU backend. */
export interface ArrayBackendDefinition<B extends Backend = Backend> {
  /** The name arrays report as their `backend` and ops dispatch on. */
  readonly name: string;
  /** Higher is preferred when a backend is picked without a name (tfjs uses the same rule). */
  readonly priority: number;
  /** Makes the instance, on first use only (opening a device, loading a package). */
  readonly create: () => B | Promise<B>;
  /** The op→kernel map. */
  readonly kernels: KernelTable;
  /** Copies a host array onto this backend (absent for the host backend itself). */
  fromHost?(host: NDArray, backend: B): AnyArray | Promise<AnyArray>;
  /** 'gpu' for a backend gpu() may choose and gpuMemory() reports; 'host' otherwise (default). */
  readonly kind?: 'host' | 'gpu';
  /** Whether DArray chunks may live on it (default true). */
  readonly chunks?: boolean;
  /** Where its large host arrays are allocated (the first one registered is used). */
  readonly allocator?: HostAllocator;
  /** Makes kernels for the ops it has none for (see {@link registerKernelFallback}). */
  readonly fallback?: KernelFallback;
}

/** Faster variants of another backend's kernels (WASM SIMD for 'cpu'); it adds no backend of its own. */
export interface AcceleratorDefinition {
  readonly name: string;
  /** Variants of higher priority run first. */
  readonly priority: number;
  /** The backend whose kernels it speeds up. */
  readonly accelerates: string;
  /** The variants, by op; each passes the calls it cannot take to the kernel behind it. */
  readonly kernels: VariantTable;
  /** Whether the variants can run here (e.g. the WASM module was built and loaded). */
  readonly available?: () => boolean;
  /** Where the accelerated backend's large host arrays are allocated. */
  readonly allocator?: HostAllocator;
}

/** What a backend folder exports. */
export type BackendDefinition = ArrayBackendDefinition | AcceleratorDefinition;

/** Whether a definition is an accelerator rather than a backend arrays live on. */
export function isAccelerator(d: BackendDefinition): d is AcceleratorDefinition {
  return 'accelerates' in d;
}

/**
 * Checks and returns a backend definition (it registers nothing: the entry files do, with
 * {@link registerBackends}).
 *
 * @example
 * export const webgpu = defineBackend({ name: 'webgpu', priority: 30, create, kernels, fromHost, kind: 'gpu' });
 */
export function defineBackend<B extends Backend>(d: ArrayBackendDefinition<B>): ArrayBackendDefinition<B>;
export function defineBackend(d: AcceleratorDefinition): AcceleratorDefinition;
export function defineBackend(d: BackendDefinition): BackendDefinition {
  if (d === null || typeof d !== 'object')
    throw new ArgumentError(`defineBackend: expected an object, got ${describe(d)}`);
  if (typeof d.name !== 'string' || d.name === '')
    throw new ArgumentError(`defineBackend: name must be a non-empty string, got ${describe(d.name)}`);
  if (typeof d.priority !== 'number' || Number.isNaN(d.priority))
    throw new ArgumentError(
      `defineBackend '${d.name}': priority must be a number, got ${describe(d.priority)}`,
    );
  if (!isAccelerator(d) && typeof d.create !== 'function')
    throw new ArgumentError(
      `defineBackend '${d.name}': create must be a function, got ${describe(d.create)}`,
    );
  for (const [op, k] of Object.entries(d.kernels ?? {}))
    if (typeof k !== 'function')
      throw new ArgumentError(
        `defineBackend '${d.name}': the kernel of '${op}' must be a function, got ${describe(k)}`,
      );
  return Object.freeze({ ...d });
}

// Registered array backends, in registration order (the entry registers the host backend first).
const definitions = new Map<string, ArrayBackendDefinition>();

/** Registers each definition: its backend and kernels, or an accelerator's variants; then its allocator. */
export function registerBackends(...defs: readonly BackendDefinition[]): void {
  for (const d of defs) {
    if (isAccelerator(d)) useVariants(d, d.available?.() ?? true);
    else {
      definitions.set(d.name, d as ArrayBackendDefinition);
      registerBackend(d.name, d.create, d.priority);
      for (const [op, k] of Object.entries(d.kernels) as [OpName, OpKernels[OpName]][])
        registerKernel(op, d.name, k);
      if (d.fallback) registerKernelFallback(d.name, d.fallback);
    }
    if (d.allocator) setHostAllocator(d.allocator);
  }
}

/** Puts an accelerator's variants in front of its backend's kernels (`on`), or takes them away. */
export function useVariants(d: AcceleratorDefinition, on: boolean): void {
  for (const [op, v] of Object.entries(d.kernels) as [OpName, KernelVariant<OpName>][]) {
    if (on) registerKernelVariant(op, d.accelerates, d.name, v, d.priority);
    else removeKernelVariant(op, d.accelerates, d.name);
  }
}

/** The registered definition of backend `name`, if any. */
export function backendDefinition(name: string): ArrayBackendDefinition | undefined {
  return definitions.get(name);
}

/** Names of the registered backends of `kind`, highest priority first. */
export function backendsOfKind(kind: 'host' | 'gpu'): string[] {
  return [...definitions.values()]
    .filter((d) => (d.kind ?? 'host') === kind)
    .sort((a, b) => b.priority - a.priority)
    .map((d) => d.name);
}

/** Names of the backends DArray chunks may live on: the host backends, then the GPU ones by priority. */
export function chunkBackends(): string[] {
  const ok = (n: string) => definitions.get(n)?.chunks !== false;
  return [...backendsOfKind('host'), ...backendsOfKind('gpu')].filter(ok);
}

/** Copies a host array onto backend `name` ('cpu', or any backend without fromHost, keeps it as it is). */
export async function fromHost(host: NDArray, name: string): Promise<AnyArray> {
  const d = definitions.get(name);
  if (!d)
    throw new ArgumentError(
      `no backend named '${name}'; registered: ${[...definitions.keys()].join(', ') || 'none'}`,
    );
  if (!d.fromHost) return host;
  return d.fromHost(host, await getBackend(name));
}
