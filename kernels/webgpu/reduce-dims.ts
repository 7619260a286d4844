/**
 * The WebGPU kernel of `reduceDims` (sum, prod, min, max, mapreduce and reduce with `dims`): each
 * pass of src/array/reduce-dims.ts is one dispatch with one invocation per result element, which
 * folds its `len` elements in order (so order-dependent lambdas fold as on the CPU); neighbouring
 * invocations read neighbouring addresses whenever the folded axis is not the last. The one case
 * without a device kernel, an order-dependent lambda along axes that are not adjacent, goes
 * through the host.
 */
import { GPUArray } from '../../gpu/array.js';
import { collectGPU } from '../../gpu/collect.js';
import { uploadTo } from '../../gpu/upload.js';
import { planReduce } from '../../src/array/ir/reduce-plan.js';
import type { Lambda, Num } from '../../src/array/ir/types.js';
import type { AnyArray, Reducer } from '../../src/array/protocol.js';
import { type AxisPass, axisPasses, reducedShape } from '../../src/array/reduce-dims.js';
import { reduceDimsCpu } from '../cpu/reduce-dims.js';
import type { WebGPUBackend, WebGPUStorage } from './backend.js';
import { exprToWgsl, WGSL_PRELUDE } from './expr.js';
import { backendOfArgs, type DeviceArray, onDevice, releaseTemps } from './operands.js';

const WG = 256;
const SEEDS = { init: 0, identity: 1, first: 2 } as const;

/** WGSL of one pass: out[o·inner + i] folds x[(o·len + k)·inner + i] over k. */
export function axisPassWgsl(map: Num | null, step: Num): string {
  const m = map ? exprToWgsl(map) : { decls: '', value: 'p0' };
  const s = exprToWgsl(step, ['acc', 'v']);
  return `${WGSL_PRELUDE}
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> P: array<u32>;
@group(0) @binding(2) var<storage, read> x0: array<f32>;
fn mapped(p0: f32) -> f32 { ${m.decls} return ${m.value}; }
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = gid.x + gid.y * nwg.x * ${WG}u;
  let outer = P[0]; let len = P[1]; let inner = P[2];
  if (t >= outer * inner) { return; }
  let base = (t / inner) * len * inner + t % inner;
  var acc = bitcast<f32>(P[4]);
  var k0 = 0u;
  if (P[3] == 2u) { acc = mapped(x0[base]); k0 = 1u; }
  for (var k = k0; k < len; k++) {
    let v = mapped(x0[base + k * inner]);
    ${s.decls}
    acc = ${s.value};
  }
  out[t] = acc;
}
`;
}

async function runPass(b: WebGPUBackend, p: AxisPass, x: DeviceArray): Promise<WebGPUStorage> {
  const n = p.outer * p.inner;
  const out = b.alloc(Math.max(n, 1) * 4);
  const start = p.seed === 'init' ? (p.init as number) : p.identity;
  const bits = new Uint32Array(Float32Array.of(start).buffer)[0] as number;
  const params = b.params(Uint32Array.of(p.outer, p.len, p.inner, SEEDS[p.seed], bits));
  try {
    if (n > 0)
      await b.run(
        axisPassWgsl(p.map, p.step),
        [
          { buffer: out.buffer, size: n * 4 },
          { buffer: params.buffer, size: 20 },
          { buffer: x.storage.buffer, size: Math.max(x.size, 1) * 4 },
        ],
        Math.ceil(n / WG),
      );
    return out;
  } catch (e) {
    out.release();
    throw e;
  } finally {
    params.release();
  }
}

/** The WebGPU kernel of `reduceDims`. */
export async function reduceDimsWebGPU(
  map: Lambda | null,
  reducer: Reducer,
  x: AnyArray,
  dims: readonly number[],
  init: number | undefined,
): Promise<GPUArray> {
  const b = backendOfArgs('mapreduce', [x]);
  const plan = planReduce(map, reducer, init);
  const passes = axisPasses(plan, x.shape, dims);
  // An order-dependent lambda along axes that are not adjacent: folded on the host (see the file's TSDoc).
  if (!passes) return uploadTo(b, await reduceDimsCpu(map, reducer, await collectGPU(x), dims, init));
  const dx = onDevice(b, x, 'mapreduce');
  let cur: DeviceArray = dx;
  try {
    for (const p of passes) {
      const out = await runPass(b, p, cur);
      if (cur !== dx) cur.storage.release();
      cur = { storage: out, shape: p.shape, size: p.outer * p.inner, temp: true };
    }
    return new GPUArray(b, cur.storage, reducedShape(x.shape, dims));
  } catch (e) {
    if (cur !== dx) cur.storage.release();
    throw e;
  } finally {
    releaseTemps([dx]);
  }
}
