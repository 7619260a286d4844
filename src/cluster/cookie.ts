import { randomBytes } from 'node:crypto';
import { ArgumentError, describe } from '../errors.js';

let cookie: string | undefined;

/**
 * The cluster cookie that authenticates every connection. Generated at random on first use in the
 * master; workers receive it on stdin, never on their command line. Pass a value to set it: any
 * non-empty string without whitespace (unlike Julia's, it may be longer than 16 characters).
 *
 * @example clusterCookie('my-secret-cookie') // use the same cookie for workers started by hand
 */
export function clusterCookie(value?: string): string {
  if (value !== undefined) {
    const problem = cookieProblem(value);
    if (problem) {
      throw new ArgumentError(
        `clusterCookie: expected a non-empty string without whitespace, got ${problem}. ` +
          'The cookie is all that keeps others from running code on your workers, so an empty or blank one ' +
          "is refused (Julia would pad '' with spaces, a cookie anyone can guess). Call clusterCookie() " +
          "without an argument to use the random one, or pass a secret such as randomBytes(16).toString('hex')",
      );
    }
    cookie = value;
  }
  cookie ??= randomBytes(16).toString('hex');
  return cookie;
}

function cookieProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return describe(value);
  if (value.length === 0) return 'the empty string';
  if (/\s/.test(value)) return `a string with whitespace (${JSON.stringify(value.slice(0, 40))})`;
  return undefined;
}
