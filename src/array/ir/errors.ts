/** The error for a lambda outside the broadcast subset. */
import { ArgumentError } from '../../errors.js';

/** A lambda uses a construct the broadcast IR cannot express; names it and where it is. */
export class LambdaSyntaxError extends ArgumentError {
  override name = 'LambdaSyntaxError';
  constructor(
    /** What was found, e.g. "call to foo" or "free variable x". */
    readonly construct: string,
    /** 0-based character offset in `source`. */
    readonly position: number,
    readonly source: string,
    /** How to fix it, when more specific than the list of what a lambda may use. */
    hint?: string,
  ) {
    const line = source.slice(0, position).split('\n').length;
    const column = position - source.lastIndexOf('\n', position - 1);
    super(
      `broadcast lambda: unsupported ${construct} at line ${line}, column ${column} of ` +
        `${JSON.stringify(source.length > 80 ? `${source.slice(0, 80)}…` : source)}; ${
          hint ??
          'a lambda may use only its parameters, numbers, + - * / % ** << >> >>>, unary -, comparisons, ' +
            '&& || ?:, Math functions and constants, const declarations before one return, and calls to ' +
            'functions registered with kernel() (pass other values as extra arguments)'
        }`,
    );
  }
}
