/**
 * The WebGPU kernel of `norm`. p = 2 is one pass that carries (scale, scaled sum of squares) as
 * LAPACK's nrm2 does, so float32 elements near 1e30 or 1e-30 neither overflow nor underflow;
 * other p are one or two plain reductions.
 */
import { lambdaOf } from '../../src/array/ir/cache.js';
import { lowerLambda } from '../../src/array/ir/lower.js';
import type { Printed } from '../../src/array/ir/shared-nodes.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { exprToWgsl } from './expr.js';
import { backendOfArgs, onDevice, releaseTemps } from './operands.js';
import { MONOIDS, type Monoid, reduceOnDevice } from './reduce.js';

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

/** The p-norm on the device. */
export async function normWebGPU(x: AnyArray, p: number): Promise<number> {
  const b = backendOfArgs('norm', [x]);
  const dx = onDevice(b, x, 'norm');
  try {
    if (dx.size === 0) return 0;
    const run = async (m: Monoid, map: string | Printed, extra: number[] = []) =>
      (await reduceOnDevice(b, m, [dx], map, extra))[0]!;
    if (p === 2) {
      const [s = 0, q = 0] = await reduceOnDevice(b, NRM2, [dx], 'p0');
      return s === 0 || !Number.isFinite(s) ? s : s * Math.sqrt(q);
    }
    if (p === Number.POSITIVE_INFINITY) return run(MONOIDS.max, 'abs(p0)');
    if (p === Number.NEGATIVE_INFINITY) return run(MONOIDS.min, 'abs(p0)');
    if (p === 1) return run(MONOIDS.sum, 'abs(p0)');
    if (p === 0) return run(MONOIDS.sum, 'select(0.0, 1.0, p0 != 0.0)');
    const m = await run(MONOIDS.max, 'abs(p0)');
    if (m === 0 || !Number.isFinite(m)) return m;
    // Scaled by the largest element, passed as parameter words 2 (1/m) and 3 (p).
    const bits = new Uint32Array(Float32Array.of(1 / m, p).buffer);
    const s = await run(MONOIDS.sum, SCALED_POWER, [bits[0]!, bits[1]!]);
    return m * s ** (1 / p);
  } finally {
    releaseTemps([dx]);
  }
}
