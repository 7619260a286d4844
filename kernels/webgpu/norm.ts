/**
 * The WebGPU kernel of `norm`. p = 2 is one pass that carries (scale, scaled sum of squares) as
 * LAPACK's nrm2 does, so float32 elements near 1e30 or 1e-30 neither overflow nor underflow;
 * other p are one or two plain reductions.
 */
import { lambdaOf } from '../../src/array/ir/cache.js';
import { lowerLambda } from '../../src/array/ir/lower.js';
import type { AnyArray } from '../../src/array/protocol.js';
import type { Dispatch, WebGPUBackend, WebGPUStorage } from './backend.js';
import { exprToWgsl } from './expr.js';
import { backendOfArgs, type DeviceArray, onDevice, releaseTemps } from './operands.js';
import { MONOIDS, type Monoid, type ReduceSteps, readScalar, reduceSteps } from './reduce.js';

// |x / m| ** p with JS's rules for **, the scale 1/m and p read from parameter words 2 and 3.
const SCALED_POWER = exprToWgsl(lowerLambda(lambdaOf('(x, s, q) => (Math.abs(x) * s) ** q')), [
  'p0',
  'bitcast<f32>(P[2])',
  'bitcast<f32>(P[3])',
]);

/** (scale, ssq) with value scale·√ssq; combining rescales the smaller side to the larger scale. */
const NRM2: Monoid = {
  name: 'nrm2',
  type: 'vec2f',
  neutral: 'vec2f(0.0, 0.0)',
  combine: `fn combine(a: vec2f, b: vec2f) -> vec2f {
  if (js_nan(a.x) || js_nan(b.x)) { return vec2f(js_NaN(), 1.0); }
  let s = max(a.x, b.x);
  if (s == 0.0) { return vec2f(0.0, 0.0); }
  if (s > 3.4e38) { return vec2f(s, 1.0); }
  let ra = a.x / s;
  let rb = b.x / s;
  return vec2f(s, a.y * ra * ra + b.y * rb * rb);
}`,
  lift: 'vec2f(abs(v), 1.0)',
};

/** scale·√ssq in float32 from the (scale, ssq) pair: 0, ∞ and NaN scales are the norm themselves. */
const NRM2_VALUE = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<vec2f>;
@compute @workgroup_size(1)
fn main() {
  let a = x[0];
  var r = a.x;
  if (r != 0.0 && (bitcast<u32>(r) & 0x7f800000u) != 0x7f800000u) { r = a.x * sqrt(a.y); }
  out[0] = r;
}
`;

/** The passes of the one-pass norms (p = 1, 2, ±∞, 0) of `dx`, or undefined for another p. */
function onePassSteps(b: WebGPUBackend, dx: DeviceArray, p: number): ReduceSteps | undefined {
  const fold = (m: Monoid, map: string) => reduceSteps(b, m, [dx], map);
  if (p === Number.POSITIVE_INFINITY) return fold(MONOIDS.max, 'abs(p0)');
  if (p === Number.NEGATIVE_INFINITY) return fold(MONOIDS.min, 'abs(p0)');
  if (p === 1) return fold(MONOIDS.sum, 'abs(p0)');
  if (p === 0) return fold(MONOIDS.sum, 'select(0.0, 1.0, p0 != 0.0)');
  if (p !== 2) return undefined;
  const pair = reduceSteps(b, NRM2, [dx], 'p0');
  const value = b.alloc(4);
  const finish: Dispatch = {
    source: NRM2_VALUE,
    bindings: [
      { buffer: value.buffer, size: 4 },
      { buffer: pair.result.buffer, size: 8 },
    ],
    groups: 1,
  };
  return { steps: [...pair.steps, finish], result: value, temps: [...pair.temps, value] };
}

/** Whether the p-norm is one pass whose float32 value is made on the device (p = 1, 2, ±∞, 0). */
export function isOnePassNorm(p: number): boolean {
  return p === 1 || p === 2 || p === 0 || p === Number.POSITIVE_INFINITY || p === Number.NEGATIVE_INFINITY;
}

/**
 * A one-pass norm (isOnePassNorm) of a non-empty array, as float32 (Julia's norm of a Float32
 * array is a Float32, CuPy's too): the value is made on the device, in a one-element storage, and
 * read back. The 2-norm is made there too, rather than from its (scale, ssq) pair on the host, so
 * that the lookahead (lookahead.ts) can start the steps that divide by a norm before it arrives,
 * with the very number the caller will pass. `submitted` gets that storage once the read-back is
 * requested; if it returns true it keeps (and releases) it.
 */
export async function normOnDevice(
  b: WebGPUBackend,
  dx: DeviceArray,
  p: number,
  submitted?: (value: WebGPUStorage) => boolean,
): Promise<number> {
  const plan = onePassSteps(b, dx, p);
  if (!plan) throw new Error(`normOnDevice: p = ${p} is not a one-pass norm; this is a darray bug`);
  return readScalar(b, plan, submitted);
}

/** The p-norm on the device. */
export async function normWebGPU(x: AnyArray, p: number): Promise<number> {
  const b = backendOfArgs('norm', [x]);
  const dx = onDevice(b, x, 'norm');
  try {
    if (dx.size === 0) return 0;
    if (isOnePassNorm(p)) return await normOnDevice(b, dx, p);
    const m = await normOnDevice(b, dx, Number.POSITIVE_INFINITY);
    if (m === 0 || !Number.isFinite(m)) return m;
    // Scaled by the largest element, passed as parameter words 2 (1/m) and 3 (p).
    const bits = new Uint32Array(Float32Array.of(1 / m, p).buffer);
    const s = await readScalar(b, reduceSteps(b, MONOIDS.sum, [dx], SCALED_POWER, [bits[0]!, bits[1]!]));
    return m * s ** (1 / p);
  } finally {
    releaseTemps([dx]);
  }
}
