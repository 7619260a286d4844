/**
 * Finds the free variables of a function's source with a real parser (acorn), so that a shipped
 * function that captures its enclosing scope is refused before anything is sent.
 */
import { type Node, parse } from 'acorn';

interface AnyNode extends Node {
  [key: string]: unknown;
}

const FUNCTION_TYPES = new Set(['FunctionExpression', 'ArrowFunctionExpression']);

/** Parses a function's `toString()` form; methods (`f(x) {…}`) are parsed inside an object literal. */
export function parseFunction(src: string): AnyNode {
  const attempts = [`(${src})`, `({${src}})`];
  let lastErr: unknown;
  for (const text of attempts) {
    let expr: AnyNode | undefined;
    try {
      const program = parse(text, { ecmaVersion: 'latest', sourceType: 'script' }) as unknown as AnyNode;
      expr = (program.body as AnyNode[])[0]?.expression as AnyNode | undefined;
      if (expr?.type === 'ObjectExpression') expr = (expr.properties as AnyNode[])[0]?.value as AnyNode;
    } catch (err) {
      lastErr = err;
      continue;
    }
    // A class parses too, but has no parameters or body to analyse (and cannot be called).
    if (!expr || !FUNCTION_TYPES.has(expr.type)) {
      throw new Error(`expected a function's source, got ${expr ? `a ${expr.type}` : 'nothing'}`);
    }
    return expr;
  }
  throw new Error(`cannot parse the function's source: ${(lastErr as Error).message}`);
}

class Scope {
  readonly names = new Set<string>();
  constructor(
    readonly parent: Scope | undefined,
    readonly isFunction: boolean,
  ) {}
  has(name: string): boolean {
    return this.names.has(name) || (this.parent?.has(name) ?? false);
  }
  functionScope(): Scope {
    return this.isFunction || !this.parent ? this : this.parent.functionScope();
  }
}

/** Free identifiers of a function node, in order of first use, with their source offsets. */
export function freeVariables(fn: AnyNode): Map<string, number> {
  const free = new Map<string, number>();
  const root = new Scope(undefined, true);
  visitFunction(fn, root, free);
  return free;
}

function declarePattern(
  p: AnyNode | null | undefined,
  scope: Scope,
  visitDefaults?: (n: AnyNode) => void,
): void {
  if (!p) return;
  switch (p.type) {
    case 'Identifier':
      scope.names.add(p.name as string);
      break;
    case 'ObjectPattern':
      for (const prop of p.properties as AnyNode[]) {
        if (prop.type === 'RestElement') declarePattern(prop.argument as AnyNode, scope, visitDefaults);
        else {
          if (prop.computed) visitDefaults?.(prop.key as AnyNode);
          declarePattern(prop.value as AnyNode, scope, visitDefaults);
        }
      }
      break;
    case 'ArrayPattern':
      for (const el of p.elements as (AnyNode | null)[]) declarePattern(el, scope, visitDefaults);
      break;
    case 'RestElement':
      declarePattern(p.argument as AnyNode, scope, visitDefaults);
      break;
    case 'AssignmentPattern':
      declarePattern(p.left as AnyNode, scope, visitDefaults);
      visitDefaults?.(p.right as AnyNode);
      break;
  }
}

/** Declarations hoisted to the top of a block or function body, found before references are checked. */
function hoist(body: AnyNode[], scope: Scope): void {
  for (const stmt of body) hoistStatement(stmt, scope, true);
}

function hoistStatement(stmt: AnyNode | null | undefined, scope: Scope, topOfBlock: boolean): void {
  if (!stmt) return;
  if (stmt.type === 'VariableDeclaration') {
    const target = stmt.kind === 'var' ? scope.functionScope() : scope;
    if (stmt.kind !== 'var' && !topOfBlock) return;
    for (const d of stmt.declarations as AnyNode[]) declarePattern(d.id as AnyNode, target);
  } else if ((stmt.type === 'FunctionDeclaration' || stmt.type === 'ClassDeclaration') && topOfBlock) {
    const id = stmt.id as AnyNode | null;
    if (id) scope.names.add(id.name as string);
  } else {
    // `var` inside nested statements still belongs to the function.
    for (const key of ['body', 'consequent', 'alternate', 'block', 'handler', 'finalizer', 'init', 'left']) {
      const child = stmt[key] as AnyNode | AnyNode[] | null | undefined;
      if (Array.isArray(child)) for (const c of child) hoistStatement(c, scope, false);
      else if (child && typeof child === 'object' && 'type' in child) hoistStatement(child, scope, false);
    }
    if (stmt.type === 'SwitchStatement') {
      for (const c of stmt.cases as AnyNode[])
        for (const s of c.consequent as AnyNode[]) hoistStatement(s, scope, false);
    }
  }
}

function visitFunction(fn: AnyNode, outer: Scope, free: Map<string, number>): void {
  const scope = new Scope(outer, true);
  if (fn.type === 'FunctionExpression' && fn.id) scope.names.add((fn.id as AnyNode).name as string);
  if (fn.type !== 'ArrowFunctionExpression') scope.names.add('arguments');
  for (const p of fn.params as AnyNode[]) declarePattern(p, scope, (n) => visit(n, scope, free));
  const body = fn.body as AnyNode;
  if (body.type === 'BlockStatement') {
    hoist(body.body as AnyNode[], scope);
    for (const s of body.body as AnyNode[]) visit(s, scope, free);
  } else {
    visit(body, scope, free);
  }
}

function visit(node: AnyNode | null | undefined, scope: Scope, free: Map<string, number>): void {
  if (!node || typeof node !== 'object') return;
  switch (node.type) {
    case 'Identifier': {
      const name = node.name as string;
      if (!scope.has(name) && !free.has(name)) free.set(name, node.start);
      return;
    }
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
    case 'FunctionDeclaration':
      visitFunction(node, scope, free);
      return;
    case 'ClassDeclaration':
    case 'ClassExpression': {
      const inner = new Scope(scope, false);
      if (node.id) inner.names.add((node.id as AnyNode).name as string);
      visit(node.superClass as AnyNode, scope, free);
      for (const m of (node.body as AnyNode).body as AnyNode[]) {
        if (m.computed) visit(m.key as AnyNode, inner, free);
        visit(m.value as AnyNode, inner, free);
        if (m.type === 'StaticBlock') for (const s of m.body as AnyNode[]) visit(s, inner, free);
      }
      return;
    }
    case 'BlockStatement':
    case 'StaticBlock': {
      const inner = new Scope(scope, false);
      hoist(node.body as AnyNode[], inner);
      for (const s of node.body as AnyNode[]) visit(s, inner, free);
      return;
    }
    case 'ForStatement':
    case 'ForInStatement':
    case 'ForOfStatement': {
      const inner = new Scope(scope, false);
      const decl = (node.init ?? node.left) as AnyNode | null;
      if (decl?.type === 'VariableDeclaration') {
        for (const d of decl.declarations as AnyNode[]) declarePattern(d.id as AnyNode, inner);
      }
      for (const key of ['init', 'test', 'update', 'left', 'right', 'body'])
        visit(node[key] as AnyNode, inner, free);
      return;
    }
    case 'CatchClause': {
      const inner = new Scope(scope, false);
      // Defaults in a destructured catch parameter are references, like any other default.
      declarePattern(node.param as AnyNode, inner, (n) => visit(n, inner, free));
      visit(node.body as AnyNode, inner, free);
      return;
    }
    case 'SwitchStatement': {
      // The cases share one block: a `const` in one case is in scope in the others.
      visit(node.discriminant as AnyNode, scope, free);
      const inner = new Scope(scope, false);
      const cases = node.cases as AnyNode[];
      for (const c of cases) hoist(c.consequent as AnyNode[], inner);
      for (const c of cases) {
        visit(c.test as AnyNode, inner, free);
        for (const s of c.consequent as AnyNode[]) visit(s, inner, free);
      }
      return;
    }
    case 'VariableDeclarator':
      // Names were hoisted already; only defaults and computed keys inside the pattern are references.
      declarePattern(node.id as AnyNode, new Scope(undefined, false), (n) => visit(n, scope, free));
      visit(node.init as AnyNode, scope, free);
      return;
    case 'MemberExpression':
      visit(node.object as AnyNode, scope, free);
      if (node.computed) visit(node.property as AnyNode, scope, free);
      return;
    case 'Property':
    case 'PropertyDefinition':
    case 'MethodDefinition':
      if (node.computed) visit(node.key as AnyNode, scope, free);
      visit(node.value as AnyNode, scope, free);
      return;
    case 'LabeledStatement':
      visit(node.body as AnyNode, scope, free);
      return;
    case 'BreakStatement':
    case 'ContinueStatement':
    case 'MetaProperty':
    case 'ThisExpression':
    case 'Super':
    case 'Literal':
    case 'TemplateElement':
      return;
  }
  for (const [key, value] of Object.entries(node)) {
    if (key === 'type' || key === 'start' || key === 'end' || key === 'loc' || key === 'range') continue;
    if (Array.isArray(value)) for (const v of value) visit(v as AnyNode, scope, free);
    else if (value && typeof value === 'object' && 'type' in value) visit(value as AnyNode, scope, free);
  }
}
