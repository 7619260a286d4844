/** Lambdas are parsed once per distinct source text. */
import { ArgumentError, describe } from '../../errors.js';
import { parseLambda } from './parse.js';
import type { Lambda } from './types.js';

const cache = new Map<string, Lambda>();

/**
 * The IR of a JS function (by its source text) or of a source string, parsed on first use and
 * cached. Two lambdas with the same text share one entry, so closures cannot smuggle values in:
 * free variables are rejected by the parser.
 */
export function lambdaOf(fn: ((...args: number[]) => number | boolean) | string | Lambda): Lambda {
  if (typeof fn === 'object' && fn !== null && 'body' in fn) return fn;
  if (typeof fn !== 'function' && typeof fn !== 'string')
    throw new ArgumentError(`expected an arrow function such as (a, b) => a + b, got ${describe(fn)}`);
  const source = typeof fn === 'function' ? fn.toString() : fn;
  let hit = cache.get(source);
  if (!hit) {
    hit = parseLambda(source);
    cache.set(source, hit);
  }
  return hit;
}

/** Number of cached lambdas, for tests. */
export function lambdaCacheSize(): number {
  return cache.size;
}
