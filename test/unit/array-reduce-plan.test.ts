// The reduce plan: one per built-in and per kind of lambda, plain data, with the empty-array rule.
import { describe, expect, it } from 'vitest';
import { foldPlan } from '../../kernels/cpu/mapreduce.js';
import { lambdaOf } from '../../src/array/ir/cache.js';
import { lowerExpr } from '../../src/array/ir/lower.js';
import { emptyResult, MONOIDS, planReduce } from '../../src/array/ir/reduce-plan.js';
import type { Num } from '../../src/array/ir/types.js';
import { ArgumentError } from '../../src/errors.js';

const p = (index: number): Num => ({ kind: 'param', index });
const L = lambdaOf;

describe('reduce plan', () => {
  it('plans each built-in as its monoid', () => {
    for (const [op, identity] of [
      ['sum', 0],
      ['prod', 1],
      ['min', Number.POSITIVE_INFINITY],
      ['max', Number.NEGATIVE_INFINITY],
    ] as const) {
      const plan = planReduce(null, op, undefined);
      expect(plan).toMatchObject({
        name: op,
        monoid: { op, identity },
        map: null,
        seed: 'identity',
        init: undefined,
      });
      expect(plan.step).toBe(MONOIDS[op].step);
      expect(structuredClone(plan)).toEqual(plan);
    }
    expect(MONOIDS.sum.step).toEqual({ kind: 'arith', op: '+', left: p(0), right: p(1) });
    // min's step is Math.min lowered: NaN-aware.
    expect(MONOIDS.min.step).toEqual(
      lowerExpr({
        kind: 'call',
        fn: 'min',
        args: [
          { kind: 'param', index: 0 },
          { kind: 'param', index: 1 },
        ],
      }),
    );
  });

  it('recognises a lambda that is a built-in, either operand order, with or without init', () => {
    expect(
      planReduce(
        null,
        L((a: number, b: number) => a + b),
        undefined,
      ),
    ).toMatchObject({ name: 'sum', monoid: { op: 'sum' }, seed: 'identity' });
    expect(
      planReduce(
        null,
        L((a: number, b: number) => b * a),
        2,
      ),
    ).toMatchObject({ monoid: { op: 'prod' }, seed: 'init', init: 2 });
    expect(
      planReduce(
        null,
        L((a: number, b: number) => Math.max(a, b)),
        undefined,
      ).monoid?.op,
    ).toBe('max');
  });

  it('folds a map into a monoid: (acc, x) => acc + g(x) with init is the sum of g(map(x))', () => {
    const plan = planReduce(
      L((x: number) => x + 1),
      L((s: number, v: number) => s + v * v),
      0,
    );
    expect(plan.monoid?.op).toBe('sum');
    expect(plan.seed).toBe('init');
    expect(plan.map).toEqual(lowerExpr(lambdaOf('(v) => (v + 1) * (v + 1)').body));
    expect(foldPlan(plan, [1, 2, 3])).toBe(4 + 9 + 16);
  });

  it('keeps a lambda sequential where order matters, and without init when g is not x itself', () => {
    const seq = planReduce(
      null,
      L((a: number, b: number) => a - b),
      undefined,
    );
    expect(seq).toMatchObject({ name: 'reduce', monoid: undefined, seed: 'first' });
    expect(foldPlan(seq, [10, 1, 2])).toBe(7);
    // Without init the first element seeds the fold as it is, so acc + v*v is not a sum of squares.
    const noInit = planReduce(
      null,
      L((s: number, v: number) => s + v * v),
      undefined,
    );
    expect(noInit.monoid).toBeUndefined();
    expect(foldPlan(noInit, [3, 2])).toBe(3 + 4);
    expect(planReduce(null, L('(a, b) => a + a'), 0).monoid).toBeUndefined();
  });

  it('has one empty-array rule: init, else the identity of sum/prod, else an error naming the op', () => {
    expect(emptyResult(planReduce(null, 'sum', undefined))).toBe(0);
    expect(emptyResult(planReduce(null, 'prod', undefined))).toBe(1);
    expect(emptyResult(planReduce(null, 'min', 5))).toBe(5);
    expect(() => emptyResult(planReduce(null, 'min', undefined))).toThrow(ArgumentError);
    expect(() => emptyResult(planReduce(null, 'max', undefined))).toThrow(
      /^max: the array is empty; pass init/,
    );
    expect(() =>
      emptyResult(
        planReduce(
          null,
          L((a: number, b: number) => a - b),
          undefined,
        ),
      ),
    ).toThrow(/^reduce: the array is empty; pass init/);
    expect(
      foldPlan(
        planReduce(
          null,
          L((a: number, b: number) => a - b),
          3,
        ),
        [],
      ),
    ).toBe(3);
  });

  it('propagates NaN through min and max, as JS Math.min/max do', () => {
    expect(foldPlan(planReduce(null, 'min', undefined), [3, Number.NaN, 1])).toBeNaN();
    expect(foldPlan(planReduce(null, 'max', undefined), [Number.NaN, 3])).toBeNaN();
    expect(Object.is(foldPlan(planReduce(null, 'min', undefined), [0, -0]), -0)).toBe(true);
  });
});
