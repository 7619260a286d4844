/**
 * Parses a JS arrow function into the broadcast IR (see types.ts) with acorn. Names are resolved
 * while parsing: a `const` is replaced by its expression and a call to a function registered with
 * `kernel()` by its body with the arguments in place of its parameters, so every backend receives
 * one expression over the lambda's parameters.
 */
import { type Expression, type Node, type Pattern, parseExpressionAt, type Statement } from 'acorn';
import { LambdaSyntaxError } from './errors.js';
import { type FunctionNode, pureFunction } from './pure.js';
import {
  type BinaryOp,
  type Expr,
  type Lambda,
  MATH_CONSTANTS,
  MATH_FUNCTIONS,
  type MathFunction,
} from './types.js';

const BINARY: Readonly<Record<string, BinaryOp>> = {
  '+': '+',
  '-': '-',
  '*': '*',
  '/': '/',
  '%': '%',
  '**': '**',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
  '==': '==',
  '===': '==',
  '!=': '!=',
  '!==': '!=',
  '<<': '<<',
  '>>': '>>',
  '>>>': '>>>',
};

/**
 * The most nodes a lambda's expression may have once its constants and calls are inlined: each
 * use of a `const` or a call copies an expression into the kernel, so a chain of them could
 * otherwise grow the generated code exponentially.
 */
export const MAX_INLINED_NODES = 20_000;

/** What names mean while converting one function body, and where errors point. */
interface Scope {
  /** Parameters and constants in scope, by name. */
  readonly names: ReadonlyMap<string, Expr>;
  /** The source text positions refer to (a registered function's own, inside one). */
  readonly source: string;
  /** The registered functions being inlined, outermost first, to refuse recursion. */
  readonly inlining: readonly string[];
}

/**
 * Parses `source`, the text of an arrow function (or `function` expression) whose body is one
 * expression, or a block of `const` declarations followed by one `return`, into a {@link Lambda}.
 * Calls to functions registered with `kernel()` are inlined. Throws a LambdaSyntaxError naming any
 * other construct.
 *
 * @example
 * parseLambda('(a, b) => 2 * a / b').body; // { kind: 'binary', op: '/', ... }
 * parseLambda('(x, y) => { const t = x * y; return t > 0 ? t : -t; }');
 */
export function parseLambda(source: string): Lambda {
  const fn = parseFunctionNode(source);
  const params = paramNames(fn, source);
  const names = new Map<string, Expr>(params.map((p, index) => [p, { kind: 'param', index }]));
  const body = convertBody(fn, { names, source, inlining: [] });
  const size = inlinedSize(body, new WeakMap());
  if (size > MAX_INLINED_NODES)
    throw new LambdaSyntaxError(
      `expression of ${size} nodes once constants and calls are inlined`,
      fn.start,
      source,
      `the limit is ${MAX_INLINED_NODES}; split the computation into several broadcasts`,
    );
  return { params, body, source };
}

/**
 * The function node of `source`: an arrow function or a `function` expression, neither async nor
 * a generator.
 */
export function parseFunctionNode(source: string): FunctionNode {
  let root: Expression;
  try {
    root = parseExpressionAt(source, 0, { ecmaVersion: 'latest' });
  } catch (e) {
    const pos = (e as { pos?: number }).pos ?? 0;
    throw new LambdaSyntaxError(`syntax (${(e as Error).message})`, pos, source);
  }
  if (root.type !== 'ArrowFunctionExpression' && root.type !== 'FunctionExpression')
    throw new LambdaSyntaxError(
      `${describeNode(root)} (expected an arrow function such as (a, b) => a + b)`,
      root.start,
      source,
    );
  if (root.async) throw new LambdaSyntaxError('async function', root.start, source);
  if (root.generator) throw new LambdaSyntaxError('generator function', root.start, source);
  return root;
}

/** The parameter names of `fn`, each a plain identifier. */
export function paramNames(fn: FunctionNode, source: string): string[] {
  return fn.params.map((p: Pattern) => {
    if (p.type !== 'Identifier') throw new LambdaSyntaxError(`parameter ${describeNode(p)}`, p.start, source);
    return p.name;
  });
}

/** The expression a function body computes: its expression, or its `const`s and final `return`. */
function convertBody(fn: FunctionNode, scope: Scope): Expr {
  if (fn.body.type !== 'BlockStatement') return convert(fn.body, scope);
  const names = new Map(scope.names);
  const inner: Scope = { ...scope, names };
  const fail = (what: string, at: Node, hint?: string): never => {
    throw new LambdaSyntaxError(what, at.start, scope.source, hint);
  };
  const stmts = fn.body.body;
  for (const [i, st] of stmts.entries()) {
    if (st.type === 'VariableDeclaration') {
      if (st.kind !== 'const')
        fail(`${st.kind} declaration`, st, 'declare names with const: a lambda cannot reassign them');
      for (const d of st.declarations) {
        if (d.id.type !== 'Identifier') return fail(`destructuring ${describeNode(d.id)}`, d.id);
        if (!d.init) return fail(`const ${d.id.name} without a value`, d);
        names.set(d.id.name, convert(d.init, inner));
      }
    } else if (st.type === 'ReturnStatement') {
      if (!st.argument) return fail('return without a value', st);
      const next = stmts[i + 1];
      if (next) return fail(`${describeStatement(next)} after return`, next);
      return convert(st.argument, inner);
    } else if (st.type !== 'EmptyStatement') {
      fail(
        describeStatement(st),
        st.type === 'ExpressionStatement' ? st.expression : st,
        'a block body may hold only const declarations followed by one return (use ?: for choices)',
      );
    }
  }
  return fail('block body without a return', fn.body, 'end the body with return <expression>');
}

/** A statement as an error names it: an assignment names its target. */
function describeStatement(st: Statement): string {
  if (st.type === 'ExpressionStatement') {
    const e = st.expression;
    if (e.type === 'AssignmentExpression' || e.type === 'UpdateExpression') return describeAssignment(e);
    return 'expression statement';
  }
  if (st.type === 'ForStatement' || st.type === 'ForInStatement' || st.type === 'ForOfStatement')
    return `${describeNode(st).replace(' statement', '')} loop`;
  if (st.type === 'WhileStatement' || st.type === 'DoWhileStatement')
    return `${describeNode(st).replace(' statement', '')} loop`;
  return `statement ${describeNode(st)}`;
}

function describeAssignment(e: Expression): string {
  const target =
    e.type === 'AssignmentExpression' ? e.left : e.type === 'UpdateExpression' ? e.argument : undefined;
  const name = target?.type === 'Identifier' ? ` to ${target.name}` : '';
  return e.type === 'UpdateExpression' ? `update ${e.operator}${name}` : `assignment${name}`;
}

/** Nodes of `e` with every shared subexpression counted at each use. */
function inlinedSize(e: Expr, memo: WeakMap<Expr, number>): number {
  const hit = memo.get(e);
  if (hit !== undefined) return hit;
  let n = 1;
  switch (e.kind) {
    case 'num':
    case 'param':
      break;
    case 'neg':
    case 'not':
      n += inlinedSize(e.arg, memo);
      break;
    case 'binary':
    case 'logical':
      n += inlinedSize(e.left, memo) + inlinedSize(e.right, memo);
      break;
    case 'cond':
      n += inlinedSize(e.test, memo) + inlinedSize(e.ifTrue, memo) + inlinedSize(e.ifFalse, memo);
      break;
    case 'call':
      for (const a of e.args) n += inlinedSize(a, memo);
      break;
  }
  // Saturate so a huge tree's count stays a safe integer.
  n = Math.min(n, Number.MAX_SAFE_INTEGER / 4);
  memo.set(e, n);
  return n;
}

function describeNode(n: Node): string {
  const name = n.type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return name;
}

function convert(n: Node, scope: Scope): Expr {
  const { source } = scope;
  const rec = (m: Node): Expr => convert(m, scope);
  const fail = (what: string, at: Node = n, hint?: string): never => {
    throw new LambdaSyntaxError(what, at.start, source, hint);
  };
  const e = n as Expression;
  switch (e.type) {
    case 'Literal':
      if (typeof e.value === 'number') return { kind: 'num', value: e.value };
      if (typeof e.value === 'boolean') return { kind: 'num', value: e.value ? 1 : 0 };
      return fail(`literal ${e.raw ?? String(e.value)}`);
    case 'Identifier': {
      const bound = scope.names.get(e.name);
      if (bound) return bound;
      if (e.name === 'Infinity') return { kind: 'num', value: Number.POSITIVE_INFINITY };
      if (e.name === 'NaN') return { kind: 'num', value: Number.NaN };
      return fail(`free variable ${e.name}`);
    }
    case 'ThisExpression':
      return fail('this');
    case 'AssignmentExpression':
    case 'UpdateExpression':
      return fail(describeAssignment(e));
    case 'UnaryExpression':
      if (e.operator === '-') return { kind: 'neg', arg: rec(e.argument) };
      if (e.operator === '+') return rec(e.argument);
      if (e.operator === '!') return { kind: 'not', arg: rec(e.argument) };
      return fail(`unary operator ${e.operator}`);
    case 'BinaryExpression': {
      const op = BINARY[e.operator];
      if (!op) return fail(`operator ${e.operator}`);
      return { kind: 'binary', op, left: rec(e.left), right: rec(e.right) };
    }
    case 'LogicalExpression':
      if (e.operator === '??') return fail('operator ??');
      return { kind: 'logical', op: e.operator, left: rec(e.left), right: rec(e.right) };
    case 'ConditionalExpression':
      return { kind: 'cond', test: rec(e.test), ifTrue: rec(e.consequent), ifFalse: rec(e.alternate) };
    case 'ParenthesizedExpression':
      return rec(e.expression);
    case 'MemberExpression': {
      if (e.object.type === 'ThisExpression') return fail('this', e.object);
      const name = mathMember(e);
      if (name !== undefined && Object.hasOwn(MATH_CONSTANTS, name))
        return { kind: 'num', value: MATH_CONSTANTS[name as keyof typeof MATH_CONSTANTS] };
      return fail(name !== undefined ? `Math.${name}` : 'property access');
    }
    case 'CallExpression': {
      if (e.callee.type === 'Identifier') return inlineCall(e, e.callee.name, scope);
      const name = e.callee.type === 'MemberExpression' ? mathMember(e.callee) : undefined;
      if (name === undefined || !Object.hasOwn(MATH_FUNCTIONS, name))
        return fail(
          `call to ${name !== undefined ? `Math.${name}` : source.slice(e.callee.start, e.callee.end)}`,
        );
      const fn = name as MathFunction;
      const arity: number = MATH_FUNCTIONS[fn];
      if (arity >= 0 && e.arguments.length !== arity)
        return fail(`call to Math.${fn} with ${e.arguments.length} arguments (expected ${arity})`);
      if (arity < 0 && e.arguments.length === 0) return fail(`call to Math.${fn} with no arguments`);
      const args = e.arguments.map((a) => (a.type === 'SpreadElement' ? fail('spread argument', a) : rec(a)));
      return { kind: 'call', fn, args };
    }
    default:
      return fail(describeNode(e));
  }
}

/** `name(args)`: the registered pure function's body with its parameters bound to the arguments. */
function inlineCall(e: Extract<Expression, { type: 'CallExpression' }>, name: string, scope: Scope): Expr {
  const fail = (what: string, hint?: string): never => {
    throw new LambdaSyntaxError(what, e.start, scope.source, hint);
  };
  if (scope.names.has(name)) return fail(`call to ${name}`, `${name} is a number here, not a function`);
  if (scope.inlining.includes(name))
    return fail(
      `recursive call to ${name}`,
      `${[...scope.inlining, name].join(' → ')}: a kernel function cannot call itself, directly or not`,
    );
  const def = pureFunction(name);
  if (!def)
    return fail(
      `call to ${name}`,
      `only Math functions and functions registered with kernel() may be called; register ${name} with kernel(${name}) before the lambda that calls it is first used`,
    );
  if (e.arguments.length !== def.params.length)
    return fail(`call to ${name} with ${e.arguments.length} arguments (expected ${def.params.length})`);
  const args = e.arguments.map((a) =>
    a.type === 'SpreadElement'
      ? (() => {
          throw new LambdaSyntaxError('spread argument', a.start, scope.source);
        })()
      : convert(a, scope),
  );
  const names = new Map<string, Expr>(def.params.map((p, i) => [p, args[i] as Expr]));
  return convertBody(def.node, { names, source: def.source, inlining: [...scope.inlining, name] });
}

/**
 * Converts registered function `fn` (named `name`, from `source`) once with placeholder
 * parameters, so an error in its body (a free variable, recursion) shows when it is registered.
 */
export function checkPureBody(
  fn: FunctionNode,
  name: string,
  params: readonly string[],
  source: string,
): void {
  const names = new Map<string, Expr>(params.map((p, index) => [p, { kind: 'param', index }]));
  convertBody(fn, { names, source, inlining: [name] });
}

function mathMember(e: Node): string | undefined {
  if (e.type !== 'MemberExpression') return undefined;
  const m = e as Extract<Expression, { type: 'MemberExpression' }>;
  if (m.object.type !== 'Identifier' || m.object.name !== 'Math' || m.computed) return undefined;
  return m.property.type === 'Identifier' ? m.property.name : undefined;
}
