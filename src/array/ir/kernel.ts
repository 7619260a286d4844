/**
 * `kernel(fn)`: registers a user's pure function by name so broadcast lambdas may call it. The
 * body is inlined where it is called while the lambda is parsed on the caller, so the parsed IR a
 * DArray ships to its workers already holds it: workers need no registration of their own.
 */
import { ArgumentError, describe } from '../../errors.js';
import { LambdaSyntaxError } from './errors.js';
import { checkPureBody, paramNames, parseFunctionNode } from './parse.js';
import { pureFunction, storePureFunction } from './pure.js';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Registers `fn`, a function whose body is in the broadcast-lambda subset, as a pure function
 * named `name` (default: `fn.name`), and returns `fn` unchanged so plain JS calls it as before.
 * A broadcast lambda that calls it by that name gets its body inlined, so every backend runs one
 * fused kernel. Its body may call functions registered before it, never itself. Registering a
 * name again with a different body is an error, because parsed lambdas are cached by their text.
 *
 * @example
 * const sq = kernel(function sq(x: number) { return x * x; });
 * await broadcast((a, b) => Math.sqrt(sq(a) + sq(b)), A, B);
 */
export function kernel<F extends (...args: number[]) => number | boolean>(fn: F, name: string = fn.name): F {
  if (typeof fn !== 'function')
    throw new ArgumentError(
      `kernel: expected a function such as function sq(x) { return x * x }, got ${describe(fn)}`,
    );
  if (typeof name !== 'string' || !IDENTIFIER.test(name))
    throw new ArgumentError(
      `kernel: the function needs a name to be called by, got ${describe(name)}; pass a named function (function sq(x) {…}) or the name: kernel((x) => x * x, 'sq')`,
    );
  if (name === 'Math') throw new ArgumentError('kernel: the name Math is reserved for the Math functions');
  const source = fn.toString();
  const known = pureFunction(name);
  if (known) {
    if (known.source === source) return fn;
    throw new ArgumentError(
      `kernel: ${name} is already registered with a different body (${JSON.stringify(known.source.slice(0, 60))}); choose another name`,
    );
  }
  const node = parseFunctionNode(source);
  const params = paramNames(node, source);
  try {
    checkPureBody(node, name, params, source);
  } catch (e) {
    if (e instanceof LambdaSyntaxError) e.message = `kernel(${name}): ${e.message}`;
    throw e;
  }
  storePureFunction({ name, params, node, source });
  return fn;
}
