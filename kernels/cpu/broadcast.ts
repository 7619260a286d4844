/**
 * The CPU broadcast kernel: one fused JS loop per (lambda, argument layout), generated from the IR
 * and cached, so an element costs the arithmetic and the loads, not a closure call.
 */
import { empty } from '../../src/array/create.js';
import { lowerLambda } from '../../src/array/ir/lower.js';
import type { Lambda } from '../../src/array/ir/types.js';
import type { NDArray } from '../../src/array/ndarray.js';
import type { Operand, OutSpec } from '../../src/array/protocol.js';
import { broadcastStrides, sameShape } from '../../src/array/shape.js';
import { exprToJs } from './expr.js';

type Loop = (out: ArrayLike<number>, ...rest: unknown[]) => void;

/**
 * Source of the flat loop for arguments that are scalars ('s') or arrays of the output's shape
 * ('a'): `(out, start, end, x0, x1, …) => void` writes `out[i]` for start <= i < end.
 */
function flatLoopSource(lambda: Lambda, layout: string): string {
  const loads = [...layout].map((k, i) => `const p${i} = ${k === 'a' ? `x${i}[i]` : `x${i}`};`).join(' ');
  const params = [...layout].map((_, i) => `x${i}`).join(', ');
  const { decls, value } = exprToJs(lowerLambda(lambda));
  return (
    `return function flat(out, start, end${params ? `, ${params}` : ''}) {\n` +
    `  for (let i = start; i < end; i++) { ${loads} ${decls} out[i] = ${value}; }\n};`
  );
}

/**
 * Source of the strided loop: output of `shape`, split into rows of its last dimension; array
 * argument i is read at offset Σ idx[k]·st_i[k] (stride 0 on broadcast dimensions).
 */
function stridedLoopSource(lambda: Lambda, layout: string): string {
  const arrays = [...layout].map((k, i) => (k === 'a' ? i : -1)).filter((i) => i >= 0);
  const params = [...layout].map((k, i) => (k === 'a' ? `x${i}, st${i}` : `x${i}`)).join(', ');
  const loads = [...layout]
    .map((k, i) => `const p${i} = ${k === 'a' ? `x${i}[o${i} + j * in${i}]` : `x${i}`};`)
    .join(' ');
  const { decls, value } = exprToJs(lowerLambda(lambda));
  return `return function strided(out, shape${params ? `, ${params}` : ''}) {
  const nd = shape.length, inner = nd ? shape[nd - 1] : 1;
  let rows = 1; for (let k = 0; k < nd - 1; k++) rows *= shape[k];
  ${arrays.map((i) => `const in${i} = nd ? st${i}[nd - 1] : 0;`).join(' ')}
  let pos = 0;
  for (let r = 0; r < rows; r++) {
    ${arrays.map((i) => `let o${i} = 0;`).join(' ')}
    for (let k = nd - 2, rem = r; k >= 0; k--) {
      const ix = rem % shape[k]; rem = (rem - ix) / shape[k];
      ${arrays.map((i) => `o${i} += ix * st${i}[k];`).join(' ')}
    }
    for (let j = 0; j < inner; j++) { ${loads} ${decls} out[pos++] = ${value}; }
  }
};`;
}

const loops = new Map<string, Loop>();

function compiled(kind: 'flat' | 'strided', lambda: Lambda, layout: string): Loop {
  const k = `${kind}\u0000${layout}\u0000${lambda.source}`;
  let fn = loops.get(k);
  if (!fn) {
    const src = kind === 'flat' ? flatLoopSource(lambda, layout) : stridedLoopSource(lambda, layout);
    fn = new Function(src)() as Loop;
    loops.set(k, fn);
  }
  return fn;
}

/**
 * The CPU kernel of `broadcast`: arguments are NDArrays or numbers, already shape-checked. (The
 * WASM variant in front of it takes flat broadcasts over the shared heap; see kernels/wasm/.)
 */
export function broadcastCpu(lambda: Lambda, args: readonly Operand[], out: OutSpec): NDArray {
  const result = (out.into as NDArray | undefined) ?? empty(out.shape, out.dtype);
  const flat = args.every((a) => typeof a === 'number' || sameShape(a.shape, out.shape));
  const layout = args.map((a) => (typeof a === 'number' ? 's' : 'a')).join('');
  const data = args.map((a) => (typeof a === 'number' ? a : (a as NDArray).data));
  if (flat) {
    compiled('flat', lambda, layout)(result.data, 0, result.size, ...data);
    return result;
  }
  const rest: unknown[] = [];
  args.forEach((a, i) => {
    rest.push(data[i]);
    if (typeof a !== 'number') rest.push(broadcastStrides(a.shape, out.shape));
  });
  compiled('strided', lambda, layout)(result.data, out.shape, ...rest);
  return result;
}
