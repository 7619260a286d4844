/**
 * The memory-read bandwidth of this process: a STREAM-like read (a SIMD sum, kernels/wasm/read.as.ts)
 * over a buffer much larger than the caches. Jobs bound by reading memory, such as a matvec, are
 * judged against it: time per pass ≥ bytes read / bandwidth.
 */
import { allocData, freeData } from '../../src/array/storage.js';
import { ArgumentError } from '../../src/errors.js';
import { heapBuffer } from './heap.js';
import { wasmKernels } from './module.js';

/** How much to read in a readBandwidth measurement. */
export interface BandwidthOptions {
  /** Bytes to read per pass (default 256 MiB). */
  bytes?: number;
  /** Passes; the best is kept (default 8). */
  reps?: number;
}

/**
 * Best read bandwidth over `reps` passes, in GB/s (10⁹ bytes per second), on the calling thread.
 *
 * @example const gbps = await readBandwidth(); // e.g. 14.2
 */
export async function readBandwidth({
  bytes = 256 * 2 ** 20,
  reps = 8,
}: BandwidthOptions = {}): Promise<number> {
  if (!(bytes >= 1 << 20) || !Number.isInteger(reps) || reps < 1) {
    throw new ArgumentError(
      `readBandwidth: expected bytes ≥ 1 MiB and reps ≥ 1, got bytes=${bytes}, reps=${reps}`,
    );
  }
  const k = wasmKernels();
  if (!k) throw new Error('readBandwidth: the WASM kernels are not loaded; run npm run build');
  const n = Math.floor(bytes / 8);
  const data = allocData('float64', n, false);
  if (data.buffer !== heapBuffer())
    throw new Error(`readBandwidth: could not place ${bytes} bytes in the WASM heap`);
  data.fill(1);
  let best = Number.POSITIVE_INFINITY;
  let check = 0;
  for (let r = 0; r < reps; r++) {
    const t = process.hrtime.bigint();
    check += k.kernels.read_f64(data.byteOffset, n);
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
  }
  freeData(data);
  if (check !== n * reps) throw new Error('readBandwidth: the read kernel returned a wrong sum');
  return (n * 8) / best / 1e9;
}
