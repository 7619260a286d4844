/** The cluster cookie: the shared secret every connection proves it knows (see auth.ts). */
import { randomBytes } from 'node:crypto';
import { ArgumentError, describe } from '../errors.js';

let cookie: string | undefined;

/**
 * The cluster cookie that authenticates every connection. Generated at random on first use in the
 * master; workers receive it on stdin, never on their command line. Pass a value to set it: any
 * string without whitespace (unlike Julia's, it may be longer than 16 characters). As in Julia, the
 * empty string is a valid cookie; it authenticates anyone who can reach a worker's port, so setting
 * it warns once.
 *
 * @example clusterCookie('my-secret-cookie') // use the same cookie for workers started by hand
 */
export function clusterCookie(value?: string): string {
  if (value !== undefined) {
    const problem = cookieProblem(value);
    if (problem) {
      throw new ArgumentError(
        `clusterCookie: expected a string without whitespace, got ${problem}. ` +
          'The cookie is all that keeps others from running code on your workers, and it travels as one ' +
          "line of the worker's stdin. Call clusterCookie() without an argument to use the random one, or " +
          "pass a secret such as randomBytes(16).toString('hex')",
      );
    }
    if (value === '' && cookie !== '' && !warnedEmpty) {
      warnedEmpty = true;
      process.emitWarning(
        "clusterCookie(''): the empty cookie (valid, as in Julia) lets anyone who can reach a worker's " +
          'port run code on it; use it only on a network you trust',
      );
    }
    cookie = value;
  }
  cookie ??= randomBytes(16).toString('hex');
  return cookie;
}

let warnedEmpty = false;

function cookieProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return describe(value);
  if (/\s/.test(value)) return `a string with whitespace (${JSON.stringify(value.slice(0, 40))})`;
  return undefined;
}
