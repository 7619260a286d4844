/**
 * How threadsFor's arguments reach a thread. postMessage's structured clone already shares a
 * SharedArrayBuffer (and the TypedArrays over one) and copies everything else; values that need
 * more (an Atomic, a SharedArray, a function) register a transfer here that turns them into a
 * clonable descriptor on the sending thread and back into the value on the receiving one.
 */
import { ArgumentError, describe } from '../errors.js';
import { type FunctionDescriptor, functionDescriptor, functionFromDescriptor } from '../remote/ship.js';

/**
 * A kind of value that crosses to threads by descriptor. Every thread loads the same modules, so
 * a transfer registered when its module loads is known on both sides by its name.
 *
 * @example
 * registerThreadTransfer({ name: 'Point', test: (v) => v instanceof Point,
 *   encode: (p) => [p.x, p.y], decode: ([x, y]) => new Point(x, y) })
 */
export interface ThreadTransfer<T = unknown, D = unknown> {
  /** Unique name, the same on every thread. */
  name: string;
  /** Whether `value` is of this kind. */
  test(value: unknown): boolean;
  /** A structured-clonable descriptor of the value (SharedArrayBuffers in it stay shared). */
  encode(value: T): D;
  /** The value again, on the receiving thread. */
  decode(data: D): T;
}

/** One argument as it travels: as it is (structured clone), or a registered transfer's descriptor. */
export type EncodedArg = [0, unknown] | [1, string, unknown];

const transfers: ThreadTransfer[] = [];
const byName = new Map<string, ThreadTransfer>();

/**
 * Registers a kind of value that threadsFor passes to its threads by descriptor instead of as a
 * plain structured clone (which would drop its class). Later registrations are tried first.
 */
export function registerThreadTransfer<T, D>(t: ThreadTransfer<T, D>): void {
  if (typeof t?.name !== 'string' || typeof t.test !== 'function' || typeof t.encode !== 'function')
    throw new ArgumentError(
      `registerThreadTransfer: expected { name, test, encode, decode } with a string name and functions, got ${describe(t)}`,
    );
  if (typeof t.decode !== 'function')
    throw new ArgumentError(`registerThreadTransfer: '${t.name}' needs a decode function`);
  if (byName.has(t.name))
    throw new ArgumentError(`registerThreadTransfer: a transfer named '${t.name}' is already registered`);
  const entry = t as unknown as ThreadTransfer;
  transfers.unshift(entry);
  byName.set(t.name, entry);
}

/** Encodes one argument for a thread. */
export function encodeArg(value: unknown): EncodedArg {
  for (const t of transfers) {
    if (t.test(value)) return [1, t.name, t.encode(value)];
  }
  return [0, value];
}

/** The argument again, on the receiving thread. */
export function decodeArg(e: EncodedArg): unknown {
  if (e[0] === 0) return e[1];
  const t = byName.get(e[1]);
  if (!t) {
    throw new ReferenceError(
      `no thread transfer named '${e[1]}' on this thread; register it in a module that every thread loads (one imported by darray's entry, or loaded with everywhere())`,
    );
  }
  return t.decode(e[2]);
}

// Functions passed as arguments travel as the body does: by reference or as checked source.
registerThreadTransfer<(...args: never[]) => unknown, FunctionDescriptor>({
  name: 'function',
  test: (v) => typeof v === 'function',
  encode: (fn) => functionDescriptor(fn, 'threadsFor: a function argument'),
  decode: (d) => functionFromDescriptor(d) as (...args: never[]) => unknown,
});
