// The lowered IR is a DAG (lower.ts repeats operands as one object): shared-nodes.ts finds what to
// bind, and every code generator must print each shared node once, so nesting grows code linearly.
import { describe, expect, it } from 'vitest';
import { exprToJs } from '../../kernels/cpu/expr.js';
import { exprToGpujs } from '../../kernels/gpujs/expr.js';
import { broadcastModule } from '../../kernels/wasm/broadcast-codegen.js';
import { exprToWgsl } from '../../kernels/webgpu/expr.js';
import { lambdaOf } from '../../src/array/ir/cache.js';
import { evalLowered } from '../../src/array/ir/eval.js';
import { lowerExpr, lowerLambda } from '../../src/array/ir/lower.js';
import {
  dagNodes,
  internNodes,
  type LoweredNode,
  operands,
  sharedNodes,
  structureKey,
} from '../../src/array/ir/shared-nodes.js';
import type { Lambda, Num } from '../../src/array/ir/types.js';
import { decodeBody, encodeBody } from '../../src/cluster/wire/codec.js';

/** `(a) => Math.pow(a, Math.pow(a, … a))` with `depth` calls. */
function tower(depth: number): string {
  let s = 'a';
  for (let k = 0; k < depth; k++) s = `Math.pow(a, ${s})`;
  return `(a) => ${s}`;
}

const COUNTEREXAMPLE = '(a) => (a ? a : Math.pow(a, Math.pow(a, ((a ** a) ? a : a))))';

const printed = ({ decls, value }: { decls: string; value: string }) => decls.length + value.length;

describe('sharedNodes', () => {
  it('lists each node used twice once, after the shared nodes it contains, without constants or parameters', () => {
    const root = lowerLambda(lambdaOf('(a, b) => a ** b + Math.min(a * b, 2)'));
    const shared = sharedNodes([root]);
    expect(shared.length).toBeGreaterThan(3);
    expect(new Set(shared).size).toBe(shared.length);
    const uses = new Map<LoweredNode, number>();
    for (const n of dagNodes([root])) for (const c of operands(n)) uses.set(c, (uses.get(c) ?? 0) + 1);
    shared.forEach((n, i) => {
      expect(n.kind === 'num' || n.kind === 'param').toBe(false);
      // Used twice, or the operand of a NaN test (which JS prints as x !== x).
      const nanTested = dagNodes([root]).some((p) => p.kind === 'isNaN' && p.arg === n);
      expect((uses.get(n) ?? 0) > 1 || nanTested).toBe(true);
      const inside = dagNodes([n]).filter((c) => c !== n && shared.includes(c));
      for (const c of inside) expect(shared.indexOf(c)).toBeLessThan(i);
    });
    // a * b is used by the NaN test of Math.min and by min itself.
    expect(shared.some((n) => n.kind === 'arith' && n.op === '*')).toBe(true);
  });

  it('is empty for an expression that repeats nothing', () => {
    expect(sharedNodes([lowerLambda(lambdaOf('(a, b) => a * b + 1'))])).toEqual([]);
  });
});

describe('internNodes and structureKey', () => {
  it('make a DAG again of a tree that a msgpack round trip copied', () => {
    const root = lowerLambda(lambdaOf(tower(2)));
    const distinct = dagNodes([root]).length;
    const { bytes, bufs } = encodeBody(root);
    const copy = decodeBody(bytes, bufs) as Num;
    // As plain data, every use of a shared node is a copy of it.
    expect(dagNodes([copy]).length).toBeGreaterThan(20 * distinct);
    const again = internNodes(copy);
    expect(dagNodes([again]).length).toBe(distinct);
    expect(structureKey(again)).toBe(structureKey(root));
    expect(structureKey(root).length).toBeLessThan(50 * distinct);
    expect(exprToJs(again)).toEqual(exprToJs(root));
  });

  it('keep -0 apart from 0, and NaN as one constant', () => {
    const e = { kind: 'arith', op: '+', left: { kind: 'num', value: -0 }, right: { kind: 'num', value: 0 } };
    const i = internNodes(e) as typeof e;
    expect(i.left).not.toBe(i.right);
    expect(Object.is(i.left.value, -0)).toBe(true);
    expect(structureKey(e)).not.toBe(structureKey({ ...e, left: { kind: 'num', value: 0 } }));
    const n = internNodes({
      kind: 'call',
      fn: 'min',
      args: [
        { kind: 'num', value: Number.NaN },
        { kind: 'num', value: Number.NaN },
      ],
    });
    expect(n.args[0]).toBe(n.args[1]);
  });

  it('let a lambda shipped to a worker (msgpack: a tree) lower to the same code as on the caller', () => {
    // Each const is used twice, so the parsed body is a DAG on the caller and a tree on arrival.
    const l = lambdaOf(`(x) => {
      const b = x ** 0.5 + x; const c = b ** 0.5 - b; const d = c ** 0.5 + c; const e = d ** 0.5 - d;
      const f = e ** 0.5 + e; const g = f ** 0.5 - f; return g ** 0.5 + g;
    }`);
    const { bytes, bufs } = encodeBody(l);
    const shipped = decodeBody(bytes, bufs) as Lambda;
    expect(shipped.body).not.toBe(l.body);
    const here = exprToJs(lowerLambda(l));
    const there = exprToJs(lowerExpr(shipped.body));
    expect(there).toEqual(here);
  });
});

describe('code generators print each shared node once', () => {
  const sizes = (depth: number) => {
    const l = lambdaOf(tower(depth));
    const e = lowerLambda(l);
    return {
      js: printed(exprToJs(e)),
      gpujs: printed(exprToGpujs(e)),
      wgsl: printed(exprToWgsl(e)),
      wasm: broadcastModule(l, 'a', ['float64'], 'float64').bytes.length,
      wasmFloat32: broadcastModule(l, 'a', ['float32'], 'float32').bytes.length,
    };
  };

  it('nested Math.pow: the code of 4 levels is less than 4× that of 2 (linear, not exponential)', () => {
    const [two, four] = [sizes(2), sizes(4)];
    for (const k of Object.keys(two) as (keyof typeof two)[]) expect(four[k], k).toBeLessThan(4 * two[k]);
  });

  it('8 nested Math.pow: less than 4× the code of 4', () => {
    const [four, eight] = [sizes(4), sizes(8)];
    for (const k of Object.keys(four) as (keyof typeof four)[]) expect(eight[k], k).toBeLessThan(4 * four[k]);
    expect(eight.js).toBeLessThan(10_000);
  });

  it('the fast-check counterexample compiles to a small kernel everywhere', () => {
    const l = lambdaOf(COUNTEREXAMPLE);
    const e = lowerLambda(l);
    expect(printed(exprToJs(e))).toBeLessThan(3000);
    expect(printed(exprToWgsl(e))).toBeLessThan(3000);
    expect(broadcastModule(l, 'a', ['float64'], 'float64').bytes.length).toBeLessThan(2000);
  });
});

describe('the JS printer binds a shared node in the branch that needs it', () => {
  it('computes no power for a ** b until every NaN and b = 0 case is ruled out', () => {
    const { decls, value } = exprToJs(lowerLambda(lambdaOf('(a, b) => a ** b')));
    expect(decls).toMatch(/^let t\d+(, t\d+)*;$/);
    expect(value.startsWith('((p1 === 0) ? 1 :')).toBe(true);
    const nanBranch = value.indexOf('? NaN :');
    expect(nanBranch).toBeGreaterThan(0);
    expect(value.indexOf('**')).toBeGreaterThan(nanBranch);
  });

  it('still gives JS its value on every pair of special numbers, nested branches included', () => {
    const special = [0, -0, 1, -1, 0.5, -0.5, 2, -3, 2.5, Number.NaN, Number.POSITIVE_INFINITY, -Infinity];
    for (const src of ['(a, b) => a ** b', '(a, b) => (a && b ** a) || (a % b ? Math.min(a, b) : a ** 3)']) {
      const { decls, value } = exprToJs(lowerLambda(lambdaOf(src)));
      const js = new Function('p0', 'p1', `${decls} return ${value};`) as (a: number, b: number) => number;
      const plain = new Function(`return ${src}`)() as (a: number, b: number) => number;
      for (const a of special)
        for (const b of special) expect(Object.is(js(a, b), plain(a, b)), `${src} at ${a}, ${b}`).toBe(true);
    }
  });
});

describe('evalLowered', () => {
  it('evaluates 8 nested Math.pow as plain JS does, bit for bit', () => {
    const e = lowerLambda(lambdaOf(tower(8)));
    const plain = new Function(`return ${tower(8)}`)() as (a: number) => number;
    for (const a of [0, -0, 1, -1, -2, 2, 0.1, 0.5, 1.4, Number.NaN, Number.POSITIVE_INFINITY, -Infinity])
      expect(Object.is(evalLowered(e, [a]), plain(a)), `a = ${a}`).toBe(true);
  });
});
