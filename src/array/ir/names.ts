/** How code generators name the parameters of a lowered expression. */

/** A prefix (parameter i is `${prefix}${i}`) or one name per parameter index. */
export type ParamNames = string | readonly string[];

/** The name of parameter `i` under `names`. */
export function paramName(names: ParamNames, i: number): string {
  return typeof names === 'string' ? `${names}${i}` : (names[i] ?? `p${i}`);
}
