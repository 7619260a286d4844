/**
 * Runs the shared array suite on one GPU backend: skips (or, with CI=true, fails) when the backend
 * cannot start, frees each case's arrays with scope(), and checks gpuMemory() for leaks.
 */
// The library below its entry registers no backend; an entry (and so this test) does.
import '../../src/backends.js';
import { afterAll, aroundEach, beforeAll, describe, expect, it } from 'vitest';
import { type GPUBackend, type GPUBackendName, gpu, gpuBackend, gpuMemory, scope } from '../../gpu/index.js';
import { runArraySuite } from '../suite/array-suite.js';

/** The backend, or why it cannot start here. */
export async function probe(name: GPUBackendName): Promise<{ backend?: GPUBackend; reason?: string }> {
  try {
    return { backend: await gpuBackend(name) };
  } catch (e) {
    return { reason: (e as Error).message };
  }
}

/** Cases of the shared suite that cannot hold on GPU arrays, with the reason. */
export const GPU_SKIPS: Record<string, string> = {
  'mixed dtypes give float64':
    'GPU arrays are float32 only: gpu() converts float64 to float32 (as CUDA.jl cu), so no GPUArray is float64',
};

/**
 * The backend, if it starts. When it cannot: a failing case under CI=true (CI installs what it
 * needs), a skipped one naming the reason otherwise.
 */
export async function backendOrSkip(name: GPUBackendName): Promise<GPUBackend | undefined> {
  const { backend, reason } = await probe(name);
  if (backend) return backend;
  // CI installs what every backend needs, so under CI=true a backend that does not start fails
  // this case. A developer machine may lack a GPU driver: there the case is skipped, and its name
  // carries the backend's own error (no adapter, say), so the report says why nothing ran.
  it.skipIf(process.env.CI !== 'true')(`${name} backend starts (required under CI=true): ${reason}`, () => {
    throw new Error(`the ${name} backend did not start: ${reason}`);
  });
  return undefined;
}

/** Defines the shared suite for `name` (see backendOrSkip for a backend that cannot start). */
export async function gpuSuite(name: GPUBackendName, extraSkips: Record<string, string> = {}): Promise<void> {
  const backend = await backendOrSkip(name);
  if (!backend) return;
  describe(`${name} on ${backend.device}`, () => {
    let before = 0;
    beforeAll(() => {
      before = gpuMemory()[name];
    });
    aroundEach(async (runTest) => {
      await scope(runTest);
    });
    afterAll(() => {
      expect(gpuMemory()[name]).toBe(before);
    });
    runArraySuite(`GPUArray (${name})`, {
      toBackend: (a) => gpu(a, { backend: name }),
      backend: name,
      dtypes: ['float32'],
      skip: { ...GPU_SKIPS, ...extraSkips },
    });
  });
}
