/**
 * Where a target that evaluates branches lazily (JavaScript's `?:`, `&&`, `||`) should compute
 * each shared node (shared-nodes.ts): at the entry of the innermost branch that holds all its
 * uses. Binding every shared node before the expression would be correct too, but would compute
 * what a branch not taken discards (the `Math.pow` of a negative base that turns out NaN).
 */
import { dagNodes, type LoweredNode, operands, sharedNodes } from './shared-nodes.js';
import type { Num } from './types.js';

/** A part of the expression evaluated as a whole: all of it, or one lazy operand of a node. */
export interface Region {
  readonly parent: Region | undefined;
  readonly depth: number;
  /** The shared nodes computed on entry, each after the ones it contains. */
  readonly bound: LoweredNode[];
}

/** The regions of an expression: `top` for the whole, `branch` for a lazy operand. */
export interface LazyBindings {
  readonly top: Region;
  /** The shared nodes, in an order where each comes after the ones it contains. */
  readonly shared: readonly LoweredNode[];
  /** The region of operand `index` (of `operands(n)`) of `n`, if that operand is evaluated lazily. */
  branch(n: LoweredNode, index: number): Region | undefined;
}

/** Whether operand `index` of `n` is evaluated only on some paths: a select's branches, the right of and/or. */
function isLazy(n: LoweredNode, index: number): boolean {
  if (n.kind === 'select') return index > 0;
  return (n.kind === 'and' || n.kind === 'or') && index === 1;
}

function commonRegion(a: Region, b: Region): Region {
  let x = a;
  let y = b;
  while (x.depth > y.depth) x = x.parent as Region;
  while (y.depth > x.depth) y = y.parent as Region;
  while (x !== y) {
    x = x.parent as Region;
    y = y.parent as Region;
  }
  return x;
}

/**
 * The region each shared node of `root` is computed in: the innermost one holding every use.
 * Parents are visited before their operands, so a node's uses are all known when it is placed;
 * a node is evaluated in its region, and its lazy operands open regions inside that one.
 */
export function lazyBindings(root: Num): LazyBindings {
  const order = dagNodes([root]);
  const shared = sharedNodes([root]);
  const top: Region = { parent: undefined, depth: 0, bound: [] };
  const useRegion = new Map<LoweredNode, Region>([[root, top]]);
  const branches = new Map<LoweredNode, Region[]>();
  for (let k = order.length - 1; k >= 0; k--) {
    const n = order[k] as LoweredNode;
    const home = useRegion.get(n) ?? top;
    const ops = operands(n);
    const own: Region[] = [];
    ops.forEach((c, i) => {
      let r = home;
      if (isLazy(n, i)) {
        r = { parent: home, depth: home.depth + 1, bound: [] };
        own[i] = r;
      }
      const seen = useRegion.get(c);
      useRegion.set(c, seen ? commonRegion(seen, r) : r);
    });
    if (own.length) branches.set(n, own);
  }
  // `shared` lists operands first, so each region's bindings come out in an order that works.
  for (const n of shared) (useRegion.get(n) ?? top).bound.push(n);
  return {
    top,
    shared,
    branch: (n, index) => branches.get(n)?.[index],
  };
}
