/**
 * The WebGPU broadcast kernel: the lambda's IR becomes one fused WGSL shader per (lambda, argument
 * layout). Shapes, strides and scalar values travel in a parameter buffer, so a shader is reused
 * across shapes and scalar values (power-method steps divide by a new norm each time).
 */

import { GPUArray } from '../../gpu/array.js';
import { lowerLambda } from '../../src/array/ir/lower.js';
import type { Lambda } from '../../src/array/ir/types.js';
import type { Operand, OutSpec } from '../../src/array/protocol.js';
import { broadcastStrides, sameShape } from '../../src/array/shape.js';
import { ArgumentError } from '../../src/errors.js';
import type { WebGPUStorage } from './backend.js';
import { exprToWgsl, WGSL_PRELUDE } from './expr.js';
import { backendOfArgs, bind, checkBinding, type DeviceArray, operands, releaseTemps } from './operands.js';

/** Per argument: 's' scalar, 'a' array of the output's shape, 'b' broadcast (strided) array, 'o' the output itself. */
export type Layout = string;

const WG = 256;

// Generated sources by lambda (lambdaOf gives one object per source text) and layout: lowering and
// printing cost more than the dispatch of a small broadcast, and power loops repeat the same one.
const sources = new WeakMap<Lambda, Map<Layout, string>>();

/** {@link broadcastWgsl}, made once per (lambda, layout). */
function cachedWgsl(lambda: Lambda, layout: Layout): string {
  let byLayout = sources.get(lambda);
  if (!byLayout) sources.set(lambda, (byLayout = new Map()));
  let src = byLayout.get(layout);
  if (src === undefined) byLayout.set(layout, (src = broadcastWgsl(lambda, layout)));
  return src;
}

/** WGSL of the fused kernel. Parameter words: n, nd, shape[nd], strides[nd] per 'b' argument, scalar bits. */
export function broadcastWgsl(lambda: Lambda, layout: Layout): string {
  const kinds = [...layout];
  // Array arguments take bindings 2, 3, … in order; scalars and the output alias take none.
  let binding = 2;
  const decls = kinds
    .map((k, i) =>
      k === 'a' || k === 'b' ? `@group(0) @binding(${binding++}) var<storage, read> x${i}: array<f32>;` : '',
    )
    .filter(Boolean)
    .join('\n');
  const strided = kinds.map((k, i) => (k === 'b' ? i : -1)).filter((i) => i >= 0);
  let sc = 0;
  const loads = kinds
    .map((k, i) => {
      if (k === 'a') return `let p${i} = x${i}[i];`;
      if (k === 'o') return `let p${i} = out[i];`;
      if (k === 'b') return `let p${i} = x${i}[o${i}];`;
      return `let p${i} = bitcast<f32>(P[sbase + ${sc++}u]);`;
    })
    .join('\n  ');
  const offsets = strided.length
    ? `var rem = i;
  ${strided.map((i) => `var o${i} = 0u;`).join(' ')}
  for (var k = i32(nd) - 1; k >= 0; k--) {
    let s = P[2u + u32(k)];
    let ix = rem % s;
    rem = rem / s;
    ${strided.map((i, j) => `o${i} += ix * P[2u + nd * ${j + 1}u + u32(k)];`).join('\n    ')}
  }`
    : '';
  const body = exprToWgsl(lowerLambda(lambda));
  return `${WGSL_PRELUDE}
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> P: array<u32>;
${decls}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * ${WG}u;
  let n = P[0];
  if (i >= n) { return; }
  let nd = P[1];
  let sbase = 2u + nd * ${strided.length + 1}u;
  ${offsets}
  ${loads}
  ${body.decls}
  out[i] = ${body.value};
}
`;
}

/** The WebGPU kernel of `broadcast`: GPUArrays, host arrays (uploaded) and numbers. */
export async function broadcastWebGPU(
  lambda: Lambda,
  args: readonly Operand[],
  out: OutSpec,
): Promise<GPUArray> {
  const b = backendOfArgs('broadcast', [out.into, ...args]);
  const n = out.shape.reduce((s, d) => s * d, 1);
  checkBinding(b, n * 4, 'broadcast');
  let result: GPUArray;
  if (out.into) {
    if (!(out.into instanceof GPUArray) || out.into.backend !== 'webgpu')
      throw new ArgumentError("broadcastInto (webgpu): out must be a GPUArray on 'webgpu'; gpu() it first");
    result = out.into;
  } else result = new GPUArray(b, b.alloc(n * 4), out.shape);
  const target = result.storage as WebGPUStorage;
  const ops = operands(b, args, 'broadcast');
  try {
    if (n === 0) return result;
    const nd = out.shape.length;
    const layout = args
      .map((a, i) => {
        const d = ops[i]!;
        if (typeof d === 'number') return 's';
        if (a === out.into) return 'o';
        return sameShape(d.shape, out.shape) ? 'a' : 'b';
      })
      .join('');
    const words: number[] = [n, nd, ...out.shape];
    for (let i = 0; i < ops.length; i++)
      if (layout[i] === 'b') words.push(...broadcastStrides((ops[i] as DeviceArray).shape, out.shape));
    const f32 = new Float32Array(1);
    const u32 = new Uint32Array(f32.buffer);
    for (const o of ops)
      if (typeof o === 'number') {
        f32[0] = o;
        words.push(u32[0]!);
      }
    const params = b.params(Uint32Array.from(words));
    const arrays = ops.flatMap((o, i) => (typeof o === 'number' || layout[i] === 'o' ? [] : [bind(o)]));
    try {
      await b.run(
        cachedWgsl(lambda, layout),
        [
          { buffer: target.buffer, size: n * 4 },
          { buffer: params.buffer, size: words.length * 4 },
          ...arrays,
        ],
        Math.ceil(n / WG),
      );
    } finally {
      params.release();
    }
    return result;
  } catch (e) {
    if (!out.into) result.dispose();
    throw e;
  } finally {
    releaseTemps(ops);
  }
}
