/** Errors shared by every part of darray. Each says what was expected, what was got, and how to fix it. */

/** Bad input to a public function: names the argument, what was expected and what was received. */
export class ArgumentError extends TypeError {
  override name = 'ArgumentError';
}

/** An operation that has no kernel for the array's backend. */
export class MissingKernelError extends Error {
  override name = 'MissingKernelError';
  constructor(
    readonly op: string,
    readonly backend: string,
  ) {
    super(
      `no kernel for op '${op}' on backend '${backend}'; register one or move the data to another backend`,
    );
  }
}

/** The process a call or reference depended on exited, or was removed, before answering. */
export class ProcessExitedException extends Error {
  override name = 'ProcessExitedException';
  constructor(
    readonly workerId: number,
    detail = '',
  ) {
    super(
      `worker ${workerId} has exited${detail ? ` (${detail})` : ''}; workers() lists the live ones, and addprocs() starts more`,
    );
  }
}

/**
 * A file or store that is not in the expected format (bad magic, unsupported dtype, truncated
 * data, …). The message says what was expected and what was found.
 *
 * @example
 * try { await load('/tmp/not-npy.txt') } catch (e) { if (e instanceof FileFormatError) console.log(e.message) }
 */
export class FileFormatError extends Error {
  override name = 'FileFormatError';
}

/** Describes a value briefly for error messages: its type and, for arrays, its length. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an Array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'function') return `a function ${value.name || '(anonymous)'}`;
  if (typeof value === 'object') return `an object of type ${value.constructor?.name ?? 'Object'}`;
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

/**
 * An index outside an array's extent (Julia's BoundsError): names the dimension, the index given
 * and the valid range, e.g. from `getindex(A, 7, ':')` on a 5×3 array.
 *
 * @example
 * try { await getindex(A, 7, ':') } catch (e) { if (e instanceof BoundsError) console.log(e.dim, e.index) }
 */
export class BoundsError extends RangeError {
  override name = 'BoundsError';
  constructor(
    message: string,
    /** The 0-based dimension whose index is out of range (-1 for a linear index over all elements). */
    readonly dim: number,
    /** The offending index as given (a number, a range or an integer array). */
    readonly index: unknown,
    /** The extent of that dimension: valid indices are 0 to extent - 1. */
    readonly extent: number,
  ) {
    super(message);
  }
}

/**
 * A matrix given to `cholesky` is not positive definite (Julia's PosDefException): `.info` is the
 * 0-based column where a pivot was not positive.
 */
export class PosDefError extends Error {
  override name = 'PosDefError';
  constructor(readonly info: number) {
    super(
      `cholesky: the matrix is not positive definite (pivot ${info} is not positive); cholesky needs a symmetric ` +
        'positive definite matrix, e.g. Aᵀ·A plus a positive multiple of the identity',
    );
  }
}
