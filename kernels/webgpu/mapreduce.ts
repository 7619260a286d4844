/** The WebGPU kernel of `mapreduce` (sum, prod, min, max, reduce): a parallel tree, or a sequential fold for order-dependent lambdas. */

import { emptyResult, planReduce, type ReducePlan, withInit } from '../../src/array/ir/reduce-plan.js';
import type { Lambda } from '../../src/array/ir/types.js';
import type { AnyArray, Reducer } from '../../src/array/protocol.js';
import type { WebGPUBackend, WebGPUStorage } from './backend.js';
import { exprToWgsl, WGSL_PRELUDE } from './expr.js';
import { backendOfArgs, type DeviceArray, onDevice, releaseTemps } from './operands.js';
import { MONOIDS, readScalar, reduceSteps } from './reduce.js';

/** WGSL of the sequential fold: one invocation walks the array in order, as the CPU loop does. */
function sequentialWgsl(plan: ReducePlan): string {
  const mapped = plan.map ? exprToWgsl(plan.map) : { decls: '', value: 'p0' };
  const step = exprToWgsl(plan.step, ['acc', 'v']);
  return `${WGSL_PRELUDE}
@group(0) @binding(0) var<storage, read_write> res: array<f32>;
@group(0) @binding(1) var<storage, read> P: array<u32>;
@group(0) @binding(2) var<storage, read> x0: array<f32>;
fn mapped(p0: f32) -> f32 { ${mapped.decls} return ${mapped.value}; }
@compute @workgroup_size(1)
fn main() {
  let n = P[0];
  var acc = bitcast<f32>(P[1]);
  var start = 0u;
  if (P[2] == 1u) { acc = mapped(x0[0]); start = 1u; }
  for (var i = start; i < n; i++) {
    let v = mapped(x0[i]);
    ${step.decls}
    acc = ${step.value};
  }
  res[0] = acc;
}
`;
}

async function sequential(b: WebGPUBackend, plan: ReducePlan, x: DeviceArray): Promise<number> {
  const { init } = plan;
  const res = b.alloc(4);
  const bits = new Uint32Array(Float32Array.of(init ?? 0).buffer)[0]!;
  const params = b.params(Uint32Array.of(x.size, bits, init === undefined ? 1 : 0));
  try {
    await b.run(
      sequentialWgsl(plan),
      [
        { buffer: res.buffer, size: 4 },
        { buffer: params.buffer, size: 12 },
        { buffer: x.storage.buffer, size: x.size * 4 },
      ],
      1,
    );
    return (await b.download(res, 0, 1))[0]!;
  } finally {
    res.release();
    params.release();
  }
}

/**
 * A tree reduction without `init` (sum, maximum, a mapped sum…) of a non-empty array, its float32
 * value made on the device and read back. `submitted` is readScalar's: the lookahead
 * (lookahead.ts) records what divides by the value while it travels.
 */
export function monoidOnDevice(
  b: WebGPUBackend,
  plan: ReducePlan,
  dx: DeviceArray,
  submitted?: (value: WebGPUStorage) => boolean,
): Promise<number> {
  if (!plan.monoid) throw new Error('monoidOnDevice: an order-dependent fold; this is a darray bug');
  const map = plan.map ? exprToWgsl(plan.map) : 'p0';
  return readScalar(b, reduceSteps(b, MONOIDS[plan.monoid.op], [dx], map), submitted);
}

/** The WebGPU kernel of `mapreduce`. */
export async function mapreduceWebGPU(
  map: Lambda | null,
  reducer: Reducer,
  x: AnyArray,
  init: number | undefined,
): Promise<number> {
  const b = backendOfArgs('mapreduce', [x]);
  const n = x.shape.reduce((s, d) => s * d, 1);
  const plan = planReduce(map, reducer, init);
  if (n === 0) return emptyResult(plan);
  const dx = onDevice(b, x, 'mapreduce');
  try {
    if (!plan.monoid) return await sequential(b, plan, dx);
    return withInit(plan, await monoidOnDevice(b, plan, dx));
  } finally {
    releaseTemps([dx]);
  }
}
