/**
 * A parser for the small part of Python's literal syntax that NumPy writes in a `.npy` header:
 * dicts, tuples, lists, strings, integers, True, False and None. Nothing is evaluated.
 */

/** A parsed literal: dicts become Maps (string keys only), tuples and lists become arrays. */
export type PyValue = string | number | boolean | null | PyValue[] | Map<string, PyValue>;

/**
 * Parses one Python literal that fills the whole of `text` (surrounding whitespace allowed).
 * Throws an Error naming the position and what was found there.
 *
 * @example parsePyLiteral("{'shape': (2, 3)}") // Map { 'shape' => [2, 3] }
 */
export function parsePyLiteral(text: string): PyValue {
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`${what} at character ${i}${i < text.length ? ` ('${text[i]}')` : ' (end of text)'}`);
  };
  const skip = (): void => {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
  };
  const value = (): PyValue => {
    skip();
    const c = text[i];
    if (c === '{') return dict();
    if (c === '(') return seq(')');
    if (c === '[') return seq(']');
    if (c === "'" || c === '"') return str();
    const word = /^(True|False|None)\b/.exec(text.slice(i));
    if (word) {
      i += (word[0] as string).length;
      return word[0] === 'True' ? true : word[0] === 'False' ? false : null;
    }
    // Python 2 wrote long integers with an L suffix, e.g. (3L, 4L).
    const num = /^[-+]?\d+L?/.exec(text.slice(i));
    if (num) {
      i += (num[0] as string).length;
      return Number.parseInt(num[0] as string, 10);
    }
    return fail('expected a value');
  };
  const str = (): string => {
    const q = text[i++];
    let out = '';
    while (i < text.length && text[i] !== q) {
      if (text[i] === '\\') i++;
      out += text[i++] ?? '';
    }
    if (i >= text.length) fail('unterminated string');
    i++;
    return out;
  };
  // Items separated by commas, a trailing comma allowed; `(3,)` is a one-element tuple.
  let comma = false;
  const items = <T>(close: string, item: () => T): T[] => {
    i++;
    const out: T[] = [];
    comma = false;
    for (;;) {
      skip();
      if (text[i] === close) break;
      out.push(item());
      skip();
      comma = text[i] === ',';
      if (comma) i++;
      else if (text[i] !== close) fail(`expected ',' or '${close}'`);
    }
    i++;
    return out;
  };
  // In Python `(3)` is the number 3 and `(3,)` the tuple; only the comma makes a one-element tuple.
  const seq = (close: string): PyValue => {
    const out = items(close, value);
    return close === ')' && out.length === 1 && !comma ? (out[0] as PyValue) : out;
  };
  const dict = (): Map<string, PyValue> => {
    const entries = items('}', (): [string, PyValue] => {
      const k = value();
      if (typeof k !== 'string') fail('expected a string key');
      skip();
      if (text[i] !== ':') fail("expected ':'");
      i++;
      return [k as string, value()];
    });
    return new Map(entries);
  };
  const v = value();
  skip();
  if (i !== text.length) fail('unexpected text after the literal');
  return v;
}
