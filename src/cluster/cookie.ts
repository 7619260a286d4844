import { randomBytes } from 'node:crypto';
import { ArgumentError } from '../errors.js';

let cookie: string | undefined;

/**
 * The cluster cookie that authenticates every connection. Generated at random on first use in the
 * master; workers receive it on stdin, never on their command line. Pass a value to set it.
 *
 * @example clusterCookie('my-secret-cookie') // use the same cookie for workers started by hand
 */
export function clusterCookie(value?: string): string {
  if (value !== undefined) {
    if (typeof value !== 'string' || value.length === 0 || /\s/.test(value)) {
      throw new ArgumentError(
        `clusterCookie: expected a non-empty string without whitespace, got ${JSON.stringify(value)}`,
      );
    }
    cookie = value;
  }
  cookie ??= randomBytes(16).toString('hex');
  return cookie;
}
