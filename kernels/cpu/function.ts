/** Two-parameter lambdas as plain JS functions, for owners that fold values one pair at a time. */
import { lowerLambda } from '../../src/array/ir/lower.js';
import type { Lambda } from '../../src/array/ir/types.js';
import { exprToJs } from './expr.js';

const compiled = new Map<string, (a: number, b: number) => number>();

/** The lambda as a JS function of two numbers, compiled by the CPU code generator once per source. */
export function binaryFunction(l: Lambda): (a: number, b: number) => number {
  let f = compiled.get(l.source);
  if (!f) {
    f = new Function('p0', 'p1', `"use strict"; return ${exprToJs(lowerLambda(l))};`) as (
      a: number,
      b: number,
    ) => number;
    compiled.set(l.source, f);
  }
  return f;
}
