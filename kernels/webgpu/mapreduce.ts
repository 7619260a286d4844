/** The WebGPU kernel of `mapreduce` (sum, prod, min, max, reduce): a parallel tree, or a sequential fold for order-dependent lambdas. */

import type { Lambda } from '../../src/array/ir/types.js';
import type { AnyArray, Reducer } from '../../src/array/protocol.js';
import { ArgumentError } from '../../src/errors.js';
import type { WebGPUBackend } from './backend.js';
import { exprToWgsl, WGSL_PRELUDE } from './expr.js';
import { splitReducer } from './fold.js';
import { backendOfArgs, type DeviceArray, onDevice, releaseTemps } from './operands.js';
import { MONOIDS, reduceOnDevice } from './reduce.js';

type Builtin = keyof typeof MONOIDS;

/** Host-side combine of the device result with `init`, in double precision. */
function withInit(op: Builtin, init: number | undefined, v: number): number {
  if (init === undefined) return v;
  switch (op) {
    case 'sum':
      return init + v;
    case 'prod':
      return init * v;
    case 'min':
      return Number.isNaN(init) || Number.isNaN(v) ? Number.NaN : Math.min(init, v);
    case 'max':
      return Number.isNaN(init) || Number.isNaN(v) ? Number.NaN : Math.max(init, v);
  }
}

/** WGSL of the sequential fold: one invocation walks the array in order, as the CPU loop does. */
function sequentialWgsl(map: Lambda | null, reducer: Lambda): string {
  const mapped = map ? exprToWgsl(map.body) : 'p0';
  return `${WGSL_PRELUDE}
@group(0) @binding(0) var<storage, read_write> res: array<f32>;
@group(0) @binding(1) var<storage, read> P: array<u32>;
@group(0) @binding(2) var<storage, read> x0: array<f32>;
fn mapped(p0: f32) -> f32 { return ${mapped}; }
@compute @workgroup_size(1)
fn main() {
  let n = P[0];
  var acc = bitcast<f32>(P[1]);
  var start = 0u;
  if (P[2] == 1u) { acc = mapped(x0[0]); start = 1u; }
  for (var i = start; i < n; i++) {
    let r0 = acc;
    let r1 = mapped(x0[i]);
    acc = ${exprToWgsl(reducer.body, 'r')};
  }
  res[0] = acc;
}
`;
}

async function sequential(
  b: WebGPUBackend,
  map: Lambda | null,
  reducer: Lambda,
  x: DeviceArray,
  init: number | undefined,
): Promise<number> {
  const res = b.alloc(4);
  const bits = new Uint32Array(Float32Array.of(init ?? 0).buffer)[0]!;
  const params = b.params(Uint32Array.of(x.size, bits, init === undefined ? 1 : 0));
  try {
    await b.run(
      sequentialWgsl(map, reducer),
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

/** The WebGPU kernel of `mapreduce`. */
export async function mapreduceWebGPU(
  map: Lambda | null,
  reducer: Reducer,
  x: AnyArray,
  init: number | undefined,
): Promise<number> {
  const b = backendOfArgs('mapreduce', [x]);
  const n = x.shape.reduce((s, d) => s * d, 1);
  const mapped = map ? exprToWgsl(map.body) : 'p0';
  let op: Builtin | undefined;
  let g = mapped;
  if (typeof reducer === 'string') op = reducer;
  else if (init !== undefined) {
    // Without init the first element is not passed through the reducer, so only the sequential
    // loop matches the CPU result there.
    const split = splitReducer(map, reducer);
    if (split) {
      op = split.op;
      g = exprToWgsl(split.g);
    }
  }
  if (n === 0) {
    if (init !== undefined) return init;
    if (op === 'sum') return 0;
    if (op === 'prod') return 1;
    throw new ArgumentError(
      `${typeof reducer === 'string' ? reducer : 'reduce'}: the array is empty; pass init for a starting value`,
    );
  }
  const dx = onDevice(b, x, 'mapreduce');
  try {
    if (op === undefined) return await sequential(b, map, reducer as Lambda, dx, init);
    const [v] = await reduceOnDevice(b, MONOIDS[op], [dx], g);
    return withInit(op, init, v!);
  } finally {
    releaseTemps([dx]);
  }
}
