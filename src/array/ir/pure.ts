/**
 * The functions a user registered as pure with `kernel()` (kernel.ts): their parsed syntax, by
 * name, so that a broadcast lambda calling one by name gets its body inlined (parse.ts).
 */
import type { ArrowFunctionExpression, FunctionExpression } from 'acorn';

/** A function node the lambda subset accepts: an arrow or a plain `function` expression. */
export type FunctionNode = ArrowFunctionExpression | FunctionExpression;

/** A registered pure function: its name, parameter names, syntax tree and source text. */
export interface PureFunction {
  readonly name: string;
  readonly params: readonly string[];
  readonly node: FunctionNode;
  readonly source: string;
}

const registered = new Map<string, PureFunction>();

/** The pure function registered under `name`, if any. */
export function pureFunction(name: string): PureFunction | undefined {
  return registered.get(name);
}

/** Records `f` under its name (kernel.ts validates it first). */
export function storePureFunction(f: PureFunction): void {
  registered.set(f.name, f);
}
