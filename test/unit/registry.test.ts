// The backend registry: definitions, kernel variants, the host allocator and the lists derived from it.
import '../../src/backends.js';
import { describe, expect, it } from 'vitest';
import { gpuBackendNames } from '../../gpu/index.js';
import { isResident } from '../../kernels/wasm/heap.js';
import { chunkBackends, defineBackend, registerBackends } from '../../src/array/backend.js';
import { array, mul, rand } from '../../src/array/index.js';
import {
  getKernel,
  hostAllocator,
  registerKernelVariant,
  removeKernelVariant,
  setHostAllocator,
} from '../../src/array/registry.js';
import { ArgumentError } from '../../src/errors.js';

describe('backend registry', () => {
  it('runs kernel variants by priority in front of the kernel, each able to pass a call on', async () => {
    const calls: string[] = [];
    registerKernelVariant(
      'dot',
      'cpu',
      'outer',
      (next) => (x, y) => {
        calls.push('outer');
        return next(x, y);
      },
      20,
    );
    registerKernelVariant(
      'dot',
      'cpu',
      'inner',
      (next) => (x, y) => {
        calls.push('inner');
        return next(x, y);
      },
      5,
    );
    try {
      const { dot } = await import('../../src/array/ops.js');
      expect(await dot(array([1, 2]), array([3, 4]))).toBe(11);
      expect(calls).toEqual(['outer', 'inner']);
    } finally {
      expect(removeKernelVariant('dot', 'cpu', 'outer')).toBe(true);
      expect(removeKernelVariant('dot', 'cpu', 'inner')).toBe(true);
    }
    expect(removeKernelVariant('dot', 'cpu', 'inner')).toBe(false);
    calls.length = 0;
    await getKernel('dot', 'cpu')(array([1]), array([1]));
    expect(calls).toEqual([]);
  });

  it('puts the WASM variants in front of the CPU matvec', async () => {
    const A = rand([512, 300]); // 1.2 MB: in the shared heap, where the SIMD kernel reads it
    const x = rand([300]);
    // A variant of lower priority than WASM's sees only the calls WASM passed on: none here.
    let passedOn = 0;
    registerKernelVariant(
      'mul',
      'cpu',
      'probe',
      (next) => (a, b, out) => {
        passedOn++;
        return next(a, b, out);
      },
      -1,
    );
    try {
      await mul(A, x);
      await mul(A, rand([300, 2])); // a matrix–matrix product is the JS kernel's
    } finally {
      removeKernelVariant('mul', 'cpu', 'probe');
    }
    expect(isResident(A.data)).toBe(true);
    expect(passedOn).toBe(1);
  });

  it('allocates large arrays in the registered WASM heap, and in ArrayBuffers without an allocator', () => {
    expect(isResident(rand([512, 512]).data)).toBe(true);
    const heap = hostAllocator();
    setHostAllocator(undefined);
    try {
      const plain = rand([512, 512]).data;
      expect(isResident(plain)).toBe(false);
      expect(plain.buffer).toBeInstanceOf(ArrayBuffer);
    } finally {
      setHostAllocator(heap);
    }
  });

  it('derives the lists of backends from the registered definitions', () => {
    expect(chunkBackends()).toEqual(['cpu', 'webgpu', 'tfjs', 'gpujs']);
    registerBackends(
      defineBackend({
        name: 'fakegpu',
        priority: 15,
        kind: 'gpu',
        create: () => Promise.reject(new Error('no such device')),
        kernels: {},
      }),
    );
    expect(gpuBackendNames()).toEqual(['webgpu', 'tfjs', 'fakegpu', 'gpujs']);
    expect(chunkBackends()).toEqual(['cpu', 'webgpu', 'tfjs', 'fakegpu', 'gpujs']);
  });

  it('refuses a definition without a name, priority or factory, or with a kernel that is not a function', () => {
    const create = () => ({ name: 'x' });
    expect(() => defineBackend({ name: '', priority: 0, create, kernels: {} })).toThrow(ArgumentError);
    expect(() => defineBackend({ name: 'x', priority: Number.NaN, create, kernels: {} })).toThrow(/priority/);
    expect(() => defineBackend({ name: 'x', priority: 0, create: 1 as never, kernels: {} })).toThrow(
      /create/,
    );
    expect(() => defineBackend({ name: 'x', priority: 0, create, kernels: { dot: 1 as never } })).toThrow(
      /kernel of 'dot'/,
    );
  });
});
