// Each worker that opens the WebGPU backend logs its adapter; the master warns when two processes
// of one node opened the same adapter seeing the same devices (they share one GPU). Skipped where
// Dawn finds no adapter; failing under CI=true (see harness.ts).
import { afterAll, describe, expect, it } from 'vitest';
import { gpuAdapterUses, gpuSharingWarnings } from '../../src/cluster/gpu-adapter.js';
import { addprocs, array, gpu, remotecallFetch } from '../../src/index.js';
import { removeAllAndCheck, waitFor } from '../integration/leaks.js';
import { backendOrSkip } from './harness.js';

const backend = await backendOrSkip('webgpu');

describe.runIf(backend !== undefined)('GPU adapter per process', () => {
  afterAll(removeAllAndCheck);

  it('workers log the adapter they opened, and two on one adapter of one node give a warning', async () => {
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    // Collects what this process writes on stderr: the relayed worker lines and its own warning.
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      lines.push(String(chunk));
      return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stderr.write;
    try {
      const pids = await addprocs(2);
      for (const p of pids) await remotecallFetch(openGpu, p);
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && !lines.join('').includes('likely share one GPU')) {
        await new Promise((r) => setTimeout(r, 25));
      }
      const text = lines.join('');
      for (const p of pids) {
        expect(text).toMatch(
          new RegExp(`From worker ${p}:\\tdarray: worker ${p} on .* opened GPU adapter '`),
        );
      }
      expect(text).toMatch(
        /darray: warning: processes \d+ and \d+ on .* both opened GPU adapter .* likely share one GPU/,
      );
      const workersSeen = gpuAdapterUses().filter((u) => pids.includes(u.pid));
      expect(workersSeen.map((u) => u.pid).sort()).toEqual(pids);
    } finally {
      process.stderr.write = write;
    }
  });

  it('processes that see different devices (CUDA_VISIBLE_DEVICES per worker) give no warning', async () => {
    const [a] = await addprocs(1, { env: { CUDA_VISIBLE_DEVICES: '0' } });
    const [b] = await addprocs(1, { env: { CUDA_VISIBLE_DEVICES: '1' } });
    const before = gpuAdapterUses().length;
    await remotecallFetch(openGpu, a as number);
    await remotecallFetch(openGpu, b as number);
    await waitFor(
      () => gpuAdapterUses().length === before + 2,
      10_000,
      'both workers to report their adapter',
    );
    const mine = gpuAdapterUses().filter((u) => u.pid === a || u.pid === b);
    expect(mine.map((u) => u.visible).sort()).toEqual(['CUDA_VISIBLE_DEVICES=0', 'CUDA_VISIBLE_DEVICES=1']);
    expect(
      gpuSharingWarnings().filter((w) => w.pids.includes(a as number) || w.pids.includes(b as number)),
    ).toEqual([]);
    expect(gpuSharingWarnings().length).toBeGreaterThan(0);
  });
});

/** Opens the WebGPU backend on the worker it runs on (shipped by remotecallFetch). */
async function openGpu(): Promise<boolean> {
  const g = await gpu(array([1, 2, 3]), { backend: 'webgpu' });
  g.dispose();
  return true;
}
