/**
 * The lowered IR is a DAG: lowering refers to an operand several times as one object (the base of
 * `**` is tested for NaN, zero, infinity and sign), so nested rules share whole subexpressions.
 * Printed as a tree it grows exponentially with nesting (eight nested Math.pow calls would print
 * millions of nodes). Code generators instead bind each node listed by {@link sharedNodes} to a
 * local once and read the local at every use, which keeps the generated code linear.
 *
 * Sharing is by object identity, which plain-data shipping (msgpack, JSON) loses: a DArray sends
 * its parsed lambda to workers as a tree. {@link internNodes} restores it (and finds repeats that
 * were built apart) by merging structurally equal subtrees into one object.
 */
import type { Bool, Num } from './types.js';

/** A node of the lowered IR: a number or a truth value. */
export type LoweredNode = Num | Bool;

/** The operands of `n`, in the order code generators visit them. */
export function operands(n: LoweredNode): readonly LoweredNode[] {
  switch (n.kind) {
    case 'num':
    case 'param':
      return [];
    case 'neg':
    case 'toNum':
    case 'isNaN':
    case 'not':
      return [n.arg];
    case 'arith':
    case 'cmp':
    case 'and':
    case 'or':
      return [n.left, n.right];
    case 'select':
      return [n.test, n.ifTrue, n.ifFalse];
    case 'call':
      return n.args;
  }
}

// Operands that some generator writes twice in its own code (the JS NaN test x !== x, JS's
// copySign, WGSL's rem as x - y * trunc(x / y)): they count as two uses, so they get bound too.
function usesPerOperand(n: LoweredNode): number {
  if (n.kind === 'isNaN') return 2;
  return n.kind === 'call' && (n.fn === 'copySign' || n.fn === 'rem') ? 2 : 1;
}

/**
 * The nodes under `roots` used more than once (by object identity), other than constants and
 * parameter reads, which are as cheap to repeat as a local: each is listed after every shared node
 * it contains, so binding them in this order to locals defines each before it is read. Evaluating
 * one eagerly is safe: lowered expressions are pure and never trap.
 *
 * @example sharedNodes([lowerLambda(lambdaOf('(a) => a ** a'))]) // the nodes `**`'s rules repeat
 */
export function sharedNodes(roots: readonly LoweredNode[]): LoweredNode[] {
  const order = dagNodes(roots);
  const uses = new Map<LoweredNode, number>();
  const use = (n: LoweredNode, w: number) => uses.set(n, (uses.get(n) ?? 0) + w);
  for (const r of roots) use(r, 1);
  for (const n of order) for (const c of operands(n)) use(c, usesPerOperand(n));
  return order.filter((n) => n.kind !== 'num' && n.kind !== 'param' && (uses.get(n) ?? 0) > 1);
}

/**
 * Every node under `roots` once (by object identity), each after its operands: a walk of the DAG
 * that takes time linear in its distinct nodes, where a recursive walk of the tree it stands for
 * can take time exponential in its depth.
 */
export function dagNodes(roots: readonly LoweredNode[]): LoweredNode[] {
  const seen = new Set<LoweredNode>();
  const order: LoweredNode[] = [];
  const visit = (n: LoweredNode): void => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const c of operands(n)) visit(c);
    order.push(n);
  };
  for (const r of roots) visit(r);
  return order;
}

/**
 * A printed expression: `decls`, statements that bind its shared nodes (shared-nodes.ts) to
 * locals (empty when there are none), and `value`, the expression that reads them. Put `decls`
 * in the same block before the statement that uses `value`.
 */
export interface Printed {
  readonly decls: string;
  readonly value: string;
}

/**
 * Prints lowered IR with each shared node written once, bound to `${temp}${k}` by `declare`, and
 * read by name afterwards; `node` prints one node given the printed forms of its operands (which
 * it may call more than once: shared-nodes.ts binds the operands a printer repeats).
 */
export function printShared(
  root: Num,
  temp: string,
  declare: (name: string, value: string) => string,
  node: (n: LoweredNode, r: (x: LoweredNode) => string) => string,
): Printed {
  const shared = new Set(sharedNodes([root]));
  const bound = new Map<LoweredNode, string>();
  const decls: string[] = [];
  const r = (x: LoweredNode): string => {
    const name = bound.get(x);
    if (name !== undefined) return name;
    const text = node(x, r);
    if (!shared.has(x)) return text;
    const local = `${temp}${bound.size}`;
    // The operands' bindings were pushed while printing `text`, so each comes before its use.
    decls.push(declare(local, text));
    bound.set(x, local);
    return local;
  };
  const value = r(root);
  return { decls: decls.join(' '), value };
}

/** A number as an intern key: -0 apart from 0 (NaN is the one 'NaN'). */
const numberKey = (v: number): string => (Object.is(v, -0) ? '-0' : String(v));

/**
 * `root` with structurally equal subtrees merged into one object each, for plain-data trees of
 * nodes (objects whose fields are numbers, strings, nodes or arrays of nodes), such as parsed
 * (`Expr`) and lowered (`Num`) IR. Linear in the number of distinct nodes: a DAG is walked once
 * per object. The input is not changed; nodes already canonical are reused as they are.
 *
 * @example internNodes(unpack(pack(lowered))) // a DAG again after a msgpack round trip
 */
export function internNodes<T extends object>(root: T): T {
  return intern(root).node as T;
}

/**
 * A string that identifies the structure of `root` (a tree of nodes as for {@link internNodes}):
 * equal for structurally equal roots, and linear in the number of distinct nodes where
 * JSON.stringify of a DAG writes each shared node once per use. A key for caches of generated code.
 */
export function structureKey(root: object): string {
  return intern(root).structures.join(';');
}

function intern(root: object): { node: object; structures: string[] } {
  const byKey = new Map<string, object>();
  const done = new Map<object, { node: object; key: string }>();
  const keyOf = new Map<object, string>();
  // The structure of each distinct node, with its operands written as their ids: `#k` is structures[k].
  const structures: string[] = [];
  const value = (x: unknown): { v: unknown; key: string } => {
    if (typeof x === 'number') return { v: x, key: numberKey(x) };
    if (typeof x !== 'object' || x === null) return { v: x, key: JSON.stringify(x) ?? 'undefined' };
    if (Array.isArray(x)) {
      const items = x.map(value);
      const same = items.every((i, k) => i.v === x[k]);
      return { v: same ? x : items.map((i) => i.v), key: `[${items.map((i) => i.key).join(',')}]` };
    }
    return node(x);
  };
  const node = (x: object): { v: unknown; key: string } => {
    const hit = done.get(x);
    if (hit) return { v: hit.node, key: hit.key };
    const fields = Object.keys(x)
      .sort()
      .map((k) => [k, value((x as Record<string, unknown>)[k])] as const);
    const structure = `{${fields.map(([k, f]) => `${k}:${f.key}`).join(',')}}`;
    let canonical = byKey.get(structure);
    if (!canonical) {
      const same = fields.every(([k, f]) => f.v === (x as Record<string, unknown>)[k]);
      canonical = same ? x : Object.fromEntries(fields.map(([k, f]) => [k, f.v]));
      byKey.set(structure, canonical);
    }
    // Each distinct structure gets a short id, so a parent's key stays short however deep it is.
    let key = keyOf.get(canonical);
    if (key === undefined) {
      key = `#${structures.length}`;
      structures.push(structure);
      keyOf.set(canonical, key);
    }
    done.set(x, { node: canonical, key });
    return { v: canonical, key };
  };
  return { node: node(root).v as object, structures };
}
