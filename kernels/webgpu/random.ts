/**
 * The WebGPU kernel of `random`: each thread hashes (seed, its element's global index) in u32
 * arithmetic exactly as src/array/random.ts does, so uniforms equal the host's float32 ones bit for
 * bit, and normals agree to float32 rounding of log and cos.
 */
import { GPUArray } from '../../gpu/array.js';
import type { AnyArray, OutSpec } from '../../src/array/protocol.js';
import { seedKeys, WORD_STEP } from '../../src/array/random.js';
import type { RandomSpec } from '../../src/array/random-op.js';
import { getBackend } from '../../src/array/registry.js';
import { ArgumentError } from '../../src/errors.js';
import type { WebGPUBackend } from './backend.js';
import { header, runIndexMap, THREAD_INDEX, WG } from './index-map.js';
import { rowsPerBinding } from './operands.js';

/** Dimensions a block's global index is worked out over; more are refused. */
const MAX_DIMS = 8;

const RANDOM_WGSL = /* wgsl */ `${header([])}
fn fmix(v: u32) -> u32 {
  var x = v;
  x ^= x >> 16u; x *= 0x7feb352du; x ^= x >> 15u; x *= 0x846ca68bu; x ^= x >> 16u;
  return x;
}
fn word(g: u32, w: u32) -> u32 { return fmix(fmix(g ^ P[3]) ^ (P[4] + w * ${WORD_STEP}u)); }
fn unif(g: u32, w: u32) -> f32 { return f32(word(g, w) >> 8u) * (1.0 / 16777216.0); }
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  ${THREAD_INDEX}
  if (i >= P[0]) { return; }
  // P: size, ndim, normal, k0, k1, then per dimension the block's extent, its start, the whole array's stride.
  let nd = P[1];
  var rem = i; var g = 0u;
  for (var k = i32(nd) - 1; k >= 0; k--) {
    let e = P[5u + u32(k)];
    g += (rem % e + P[5u + nd + u32(k)]) * P[5u + 2u * nd + u32(k)];
    rem /= e;
  }
  if (P[2] == 0u) { out[i] = unif(g, 0u); return; }
  let u1 = 1.0 - unif(g, 0u);
  out[i] = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * unif(g, 1u));
}
`;

/** Random numbers made on the device: a new GPUArray, or `out.into` refilled. */
export async function randomWebGPU(spec: RandomSpec, out: OutSpec): Promise<GPUArray> {
  const into = out.into instanceof GPUArray ? out.into : undefined;
  const b = into ? (into.impl as WebGPUBackend) : ((await getBackend('webgpu')) as WebGPUBackend);
  const shape = out.shape.length > 0 ? out.shape : [1];
  if (shape.length > MAX_DIMS)
    throw new ArgumentError(`random (webgpu): at most ${MAX_DIMS} dimensions, got shape [${out.shape}]`);
  const dims = spec.within?.dims ?? shape;
  const lo = spec.within?.box.map(([l]) => l) ?? shape.map(() => 0);
  const strides = dims.map((_, k) => dims.slice(k + 1).reduce((s, n) => s * n, 1));
  const [k0, k1] = seedKeys(spec.seed);
  const paramsOf = (blockShape: readonly number[], blockLo: readonly number[]) => [
    blockShape.reduce((s, n) => s * n, 1),
    blockShape.length,
    spec.normal ? 1 : 0,
    k0,
    k1,
    ...blockShape,
    ...blockLo,
    ...strides,
  ];
  const inputs: AnyArray[] = [];
  const size = shape.reduce((s, n) => s * n, 1);
  if (size * 4 <= b.maxBinding)
    return runIndexMap(b, 'random', RANDOM_WGSL, paramsOf(shape, lo), inputs, out.shape, into);
  // Larger than one binding (a 32768² float32 matrix is 4 GiB): fill row blocks, each bound alone.
  const [rows = 1, ...rest] = shape;
  const rowSize = rest.reduce((s, n) => s * n, 1);
  const blockRows = rowsPerBinding(b, rows, rowSize);
  if (blockRows <= 0)
    throw new ArgumentError(
      `random (webgpu): one row of shape [${out.shape}] (${rowSize * 4} bytes) exceeds the adapter's ` +
        `${b.maxBinding}-byte binding limit; make the array on the host or as a DArray`,
    );
  const target = into ?? new GPUArray(b, b.alloc(size * 4), out.shape);
  try {
    for (let r0 = 0; r0 < rows; r0 += blockRows) {
      const n = Math.min(blockRows, rows - r0);
      const part = { offset: r0 * rowSize, size: n * rowSize };
      const params = paramsOf([n, ...rest], [(lo[0] ?? 0) + r0, ...lo.slice(1)]);
      await runIndexMap(b, 'random', RANDOM_WGSL, params, inputs, out.shape, target, part);
    }
  } catch (e) {
    if (!into) target.dispose();
    throw e;
  }
  return target;
}
