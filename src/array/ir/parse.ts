/** Parses a JS arrow function into the broadcast IR (see types.ts) with acorn. */
import { type Expression, type Node, type Pattern, parseExpressionAt } from 'acorn';
import { LambdaSyntaxError } from './errors.js';
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
};

/**
 * Parses `source`, the text of an arrow function whose body is one expression (or a block with a
 * single `return`), into a {@link Lambda}. Throws a LambdaSyntaxError naming any other construct.
 *
 * @example
 * parseLambda('(a, b) => 2 * a / b').body; // { kind: 'binary', op: '/', ... }
 */
export function parseLambda(source: string): Lambda {
  let root: Expression;
  try {
    root = parseExpressionAt(source, 0, { ecmaVersion: 'latest' });
  } catch (e) {
    const pos = (e as { pos?: number }).pos ?? 0;
    throw new LambdaSyntaxError(`syntax (${(e as Error).message})`, pos, source);
  }
  if (root.type !== 'ArrowFunctionExpression')
    throw new LambdaSyntaxError(
      `${describeNode(root)} (expected an arrow function such as (a, b) => a + b)`,
      root.start,
      source,
    );
  if (root.async) throw new LambdaSyntaxError('async arrow function', root.start, source);
  const params = root.params.map((p: Pattern) => {
    if (p.type !== 'Identifier') throw new LambdaSyntaxError(`parameter ${describeNode(p)}`, p.start, source);
    return p.name;
  });
  let bodyNode: Node = root.body;
  if (root.body.type === 'BlockStatement') {
    const stmts = root.body.body;
    const only = stmts[0];
    if (stmts.length !== 1 || only?.type !== 'ReturnStatement' || !only.argument) {
      const bad: Node = stmts.find((st) => st.type !== 'ReturnStatement') ?? stmts[1] ?? root.body;
      throw new LambdaSyntaxError(
        `statement ${describeNode(bad)} (the body must be one expression)`,
        bad.start,
        source,
      );
    }
    bodyNode = only.argument;
  }
  return { params, body: convert(bodyNode, params, source), source };
}

function describeNode(n: Node): string {
  const name = n.type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return name;
}

function convert(n: Node, params: readonly string[], source: string): Expr {
  const rec = (m: Node): Expr => convert(m, params, source);
  const fail = (what: string, at: Node = n): never => {
    throw new LambdaSyntaxError(what, at.start, source);
  };
  const e = n as Expression;
  switch (e.type) {
    case 'Literal':
      if (typeof e.value === 'number') return { kind: 'num', value: e.value };
      if (typeof e.value === 'boolean') return { kind: 'num', value: e.value ? 1 : 0 };
      return fail(`literal ${e.raw ?? String(e.value)}`);
    case 'Identifier': {
      const index = params.indexOf(e.name);
      if (index >= 0) return { kind: 'param', index };
      if (e.name === 'Infinity') return { kind: 'num', value: Number.POSITIVE_INFINITY };
      if (e.name === 'NaN') return { kind: 'num', value: Number.NaN };
      return fail(`free variable ${e.name}`);
    }
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
      const name = mathMember(e);
      if (name !== undefined && Object.hasOwn(MATH_CONSTANTS, name))
        return { kind: 'num', value: MATH_CONSTANTS[name as keyof typeof MATH_CONSTANTS] };
      return fail(name !== undefined ? `Math.${name}` : 'property access');
    }
    case 'CallExpression': {
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

function mathMember(e: Node): string | undefined {
  if (e.type !== 'MemberExpression') return undefined;
  const m = e as Extract<Expression, { type: 'MemberExpression' }>;
  if (m.object.type !== 'Identifier' || m.object.name !== 'Math' || m.computed) return undefined;
  return m.property.type === 'Identifier' ? m.property.name : undefined;
}
