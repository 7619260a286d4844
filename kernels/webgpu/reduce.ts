/**
 * The WebGPU reduction machinery shared by mapreduce, dot and norm: a two-pass workgroup tree, one
 * pass for small inputs. Pass 1 runs up to 256 workgroups; each thread folds a grid-strided slice,
 * the workgroup combines its threads (through subgroupAdd when the adapter has subgroups and the
 * fold is a sum), and writes one partial. Pass 2 folds the partials in one workgroup. The result
 * stays on the device (reduceSteps) or is read back as a number (readScalar).
 */
import {
  type MonoidOp,
  MONOIDS as PLAN_MONOIDS,
  type Monoid as PlanMonoid,
} from '../../src/array/ir/reduce-plan.js';
import type { Printed } from '../../src/array/ir/shared-nodes.js';
import type { Dispatch, WebGPUBackend, WebGPUStorage } from './backend.js';
import { exprToWgsl, numToWgsl, WGSL_PRELUDE } from './expr.js';
import type { DeviceArray } from './operands.js';
import { cachedSource } from './source-cache.js';

const WG = 256;
const MAX_GROUPS = 256;
/**
 * Elements each thread folds before a second workgroup is used. Up to 64 per thread (16384
 * elements, the vectors of a power iteration) the reduction is one pass, so one dispatch and no
 * partials; a second pass costs more to record and launch than one workgroup takes to read 64 KiB.
 */
const PER_THREAD = 64;

/** An associative fold with a neutral element, over values of WGSL type `type`. */
export interface Monoid {
  /** A short name, part of the shader cache key through the source. */
  readonly name: string;
  readonly type: 'f32' | 'vec2f';
  /** WGSL expression of the neutral element. */
  readonly neutral: string;
  /** WGSL of `fn combine(a: T, b: T) -> T`. */
  readonly combine: string;
  /** WGSL expression lifting the mapped element `v` (an f32) into T. */
  readonly lift: string;
  /** Whether subgroupAdd may replace the in-workgroup tree (an f32 sum). */
  readonly subgroupAdd?: boolean;
}

/** A monoid of the reduce plan (src/array/ir/reduce-plan.ts) as WGSL: its identity and step, printed. */
export function wgslMonoid(m: PlanMonoid): Monoid {
  const step = exprToWgsl(m.step, ['a', 'b']);
  return {
    name: m.op,
    type: 'f32',
    neutral: numToWgsl(m.identity),
    combine: `fn combine(a: f32, b: f32) -> f32 { ${step.decls} return ${step.value}; }`,
    lift: 'v',
    subgroupAdd: m.op === 'sum',
  };
}

/** The built-in folds, from the plan's monoids: min and max propagate NaN, as on every backend. */
export const MONOIDS: Readonly<Record<MonoidOp, Monoid>> = {
  sum: wgslMonoid(PLAN_MONOIDS.sum),
  prod: wgslMonoid(PLAN_MONOIDS.prod),
  min: wgslMonoid(PLAN_MONOIDS.min),
  max: wgslMonoid(PLAN_MONOIDS.max),
};

/**
 * WGSL of one pass: `inputs` arrays read at the same index, mapped by `map` (an f32 expression over
 * p0, p1, …, or one printed by exprToWgsl; `P` words from 2 on are free for its parameters),
 * folded into `part[workgroup]`.
 */
export function reduceWgsl(m: Monoid, inputs: number, map: string | Printed, subgroups: boolean): string {
  const mapped = typeof map === 'string' ? { decls: '', value: map } : map;
  const useSub = subgroups && m.subgroupAdd === true;
  const decls = Array.from(
    { length: inputs },
    (_, i) => `@group(0) @binding(${i + 2}) var<storage, read> x${i}: array<f32>;`,
  ).join('\n');
  const loads = Array.from({ length: inputs }, (_, i) => `let p${i} = x${i}[i];`).join(' ');
  const combineGroup = useSub
    ? `let s = subgroupAdd(acc);
  if (sli == 0u) { sh[li / sgs] = s; }
  workgroupBarrier();
  if (li == 0u) {
    var t = sh[0];
    for (var j = 1u; j < ${WG}u / sgs; j++) { t = t + sh[j]; }
    part[wid.x] = t;
  }`
    : `sh[li] = acc;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (li < s) { sh[li] = combine(sh[li], sh[li + s]); }
    workgroupBarrier();
  }
  if (li == 0u) { part[wid.x] = sh[0]; }`;
  return `${useSub ? 'enable subgroups;\n' : ''}${WGSL_PRELUDE}
${m.combine}
@group(0) @binding(0) var<storage, read_write> part: array<${m.type}>;
@group(0) @binding(1) var<storage, read> P: array<u32>;
${decls}
var<workgroup> sh: array<${m.type}, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wid: vec3u,
        @builtin(num_workgroups) nwg: vec3u${useSub ? ', @builtin(subgroup_invocation_id) sli: u32, @builtin(subgroup_size) sgs: u32' : ''}) {
  let n = P[0];
  var acc: ${m.type} = ${m.neutral};
  for (var i = wid.x * ${WG}u + li; i < n; i += nwg.x * ${WG}u) {
    ${loads}
    ${mapped.decls}
    let v: f32 = ${mapped.value};
    acc = combine(acc, ${m.lift});
  }
  ${combineGroup}
}
`;
}

/** WGSL folding `n` partials of T (pass 2); the result is element 0 of `part`. */
function finalWgsl(m: Monoid): string {
  return `${WGSL_PRELUDE}
${m.combine}
@group(0) @binding(0) var<storage, read_write> part: array<${m.type}>;
@group(0) @binding(1) var<storage, read> P: array<u32>;
@group(0) @binding(2) var<storage, read> x: array<${m.type}>;
var<workgroup> sh: array<${m.type}, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_index) li: u32) {
  let n = P[0];
  var acc: ${m.type} = ${m.neutral};
  for (var i = li; i < n; i += ${WG}u) { acc = combine(acc, x[i]); }
  sh[li] = acc;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (li < s) { sh[li] = combine(sh[li], sh[li + s]); }
    workgroupBarrier();
  }
  if (li == 0u) { part[0] = sh[0]; }
}
`;
}

/** reduceWgsl, kept when the map is a WGSL string (printed maps carry bindings and are made per call). */
function cachedReduceWgsl(m: Monoid, arity: number, map: string | Printed, subgroups: boolean): string {
  if (typeof map !== 'string') return reduceWgsl(m, arity, map, subgroups);
  return cachedSource(`reduce ${m.name} ${arity} ${subgroups} ${map}`, () =>
    reduceWgsl(m, arity, map, subgroups),
  );
}

/** The dispatches of a reduction, the storage that ends up holding its result, and its temporaries. */
export interface ReduceSteps {
  readonly steps: Dispatch[];
  /** Holds the result (one f32, or a vec2f) once the steps have run. */
  readonly result: WebGPUStorage;
  /** Storages to release once the steps are recorded (the result among them). */
  readonly temps: WebGPUStorage[];
}

/**
 * The passes folding `map(x0[i], x1[i], …)` over i < n with `m`, not yet recorded. `extra` words
 * follow n in the parameters.
 */
export function reduceSteps(
  b: WebGPUBackend,
  m: Monoid,
  xs: readonly DeviceArray[],
  map: string | Printed,
  extra: readonly number[] = [],
): ReduceSteps {
  const n = xs[0]?.size ?? 0;
  const width = m.type === 'f32' ? 1 : 2;
  const groups = Math.max(1, Math.min(MAX_GROUPS, Math.ceil(n / (WG * PER_THREAD))));
  const part = b.alloc(groups * width * 4);
  const params = b.params(Uint32Array.from([n, 0, ...extra]));
  const temps = [part, params];
  const steps: Dispatch[] = [
    {
      source: cachedReduceWgsl(m, xs.length, map, b.subgroups),
      bindings: [
        { buffer: part.buffer, size: groups * width * 4 },
        { buffer: params.buffer, size: (2 + extra.length) * 4 },
        ...xs.map((x) => ({ buffer: x.storage.buffer, size: x.size * 4 })),
      ],
      groups,
    },
  ];
  let result = part;
  if (groups > 1) {
    result = b.alloc(width * 4);
    const p2 = b.params(Uint32Array.of(groups));
    temps.push(result, p2);
    steps.push({
      source: cachedSource(`final ${m.name}`, () => finalWgsl(m)),
      bindings: [
        { buffer: result.buffer, size: width * 4 },
        { buffer: p2.buffer, size: 4 },
        { buffer: part.buffer, size: groups * width * 4 },
      ],
      groups: 1,
    });
  }
  return { steps, result, temps };
}

/**
 * Runs `plan`, a reduction to one f32, and reads it back. `submitted` gets the storage holding the
 * value on the device once the read-back is requested (steps recorded after it run on the GPU while
 * the value travels); if it returns true it keeps, and releases, that storage.
 */
export async function readScalar(
  b: WebGPUBackend,
  plan: ReduceSteps,
  submitted?: (value: WebGPUStorage) => boolean,
): Promise<number> {
  const { steps, result, temps } = plan;
  let kept = false;
  try {
    const onSubmit = submitted && (() => void (kept = submitted(result)));
    const [v = 0] = await b.download(result, 0, 1, steps, onSubmit);
    return v;
  } finally {
    for (const t of temps) if (!(kept && t === result)) t.release();
  }
}
