/**
 * Compiles a broadcast lambda's IR straight to a WebAssembly module: one loop that reads each
 * array argument at index i, evaluates the expression in f64 and stores into the output. Used for
 * arrays in the shared heap, where it runs near memory bandwidth (the JS loop over typed arrays
 * reaches about a third of it). It prints the lowered IR node for node, each shared node once into
 * a local; Math functions without a WASM instruction (and `rem`, `powPos`) are imported from JS.
 */
import type { DType } from '../../src/array/dtype.js';
import { lowerLambda } from '../../src/array/ir/lower.js';
import { dagNodes, type LoweredNode, sharedNodes } from '../../src/array/ir/shared-nodes.js';
import type { ArithOp, Bool, CmpOp, Lambda, Num } from '../../src/array/ir/types.js';

const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;

// f64x2 instructions (after the 0xfd prefix) for the ops that have one with the same IEEE result
// as the scalar instruction; expressions using only these run two elements per step.
const SIMD = (op: number): number[] => [0xfd, ...uleb(op)];
const VEC_ARITH: Record<ArithOp, number> = { '+': 0xf0, '-': 0xf1, '*': 0xf2, '/': 0xf3 };
const VEC_UNARY: Partial<Record<string, number>> = {
  abs: 0xec,
  sqrt: 0xef,
  ceil: 0x74,
  floor: 0x75,
  trunc: 0x7a,
};

// Comparisons and bit logic on f64x2 give lane masks (all ones or zeros); selects are bitselects.
const VEC_CMP: Record<CmpOp, number> = {
  '==': 0x47,
  '!=': 0x48,
  '<': 0x49,
  '>': 0x4a,
  '<=': 0x4b,
  '>=': 0x4c,
};

// Whether every node of the DAG has an f64x2 form (each distinct node checked once).
function vectorizable(e: Num): boolean {
  return dagNodes([e]).every(
    (n) => n.kind !== 'call' || VEC_UNARY[n.fn] !== undefined || n.fn === 'min' || n.fn === 'max',
  );
}

// Loads as [opcode, log2 alignment, conversion to f64 (or none)], per dtype.
const LOAD: Record<DType, [number, number, number[]]> = {
  float64: [0x2b, 3, []],
  float32: [0x2a, 2, [0xbb]],
  int32: [0x28, 2, [0xb7]],
  uint8: [0x2d, 0, [0xb8]],
};
const SHIFT: Record<DType, number> = { float64: 3, float32: 2, int32: 2, uint8: 0 };

const NATIVE_UNARY: Partial<Record<string, number>> = {
  abs: 0x99,
  ceil: 0x9b,
  floor: 0x9c,
  trunc: 0x9d,
  sqrt: 0x9f,
};
const ARITH: Record<ArithOp, number> = { '+': 0xa0, '-': 0xa1, '*': 0xa2, '/': 0xa3 };
const COMPARE: Record<CmpOp, number> = {
  '==': 0x61,
  '!=': 0x62,
  '<': 0x63,
  '>': 0x64,
  '<=': 0x65,
  '>=': 0x66,
};

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function f64const(v: number): number[] {
  return [0x44, ...new Uint8Array(new Float64Array([v]).buffer)];
}

// A loop, where push(...xs) would pass every byte as an argument and overflow the stack for long code.
function append(out: number[], xs: readonly number[]): void {
  for (const x of xs) out.push(x);
}

const isBool = (n: LoweredNode): n is Bool =>
  n.kind === 'cmp' || n.kind === 'isNaN' || n.kind === 'and' || n.kind === 'or' || n.kind === 'not';

const str = (s: string): number[] => [...uleb(s.length), ...new TextEncoder().encode(s)];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

/** An imported JS function: its name on the `m` import object and its arity. */
export interface WasmImport {
  name: string;
  arity: number;
}

/** A compiled loop: the module bytes and the JS functions it imports (by name, from Math or `mod`). */
export interface BroadcastModule {
  bytes: Uint8Array;
  imports: WasmImport[];
}

/**
 * Builds the module for `lambda` with arguments of `layout` ('a' array of dtype `dtypes[i]`, 's'
 * scalar) writing `outDtype`. Export `run(out, start, end, ...args)`: byte pointers for arrays,
 * f64 for scalars.
 */
export function broadcastModule(
  lambda: Lambda,
  layout: string,
  dtypes: readonly (DType | null)[],
  outDtype: DType,
): BroadcastModule {
  const nargs = layout.length;
  const imports: WasmImport[] = [];
  const importIndex = (name: string, arity: number): number => {
    let i = imports.findIndex((x) => x.name === name && x.arity === arity);
    if (i < 0) i = imports.push({ name, arity }) - 1;
    return i;
  };
  const lowered = lowerLambda(lambda);
  // Each shared node of the DAG is computed once per element into a local (shared-nodes.ts):
  // numbers in f64 locals, truth values in i32 ones; the vector loop keeps both in v128 locals.
  const shared = sharedNodes([lowered]);
  const slot = new Map<LoweredNode, number>();
  const sharedIndex = new Map<LoweredNode, number>();
  let numTemps = 0;
  let boolTemps = 0;
  for (const n of shared) {
    slot.set(n, isBool(n) ? boolTemps++ : numTemps++);
    sharedIndex.set(n, sharedIndex.size);
  }
  // Locals: params 0 out, 1 start, 2 end, 3.. args; then i; f64: one per argument value, then the
  // number temps; v128: one per argument value, then one per shared node; i32: the truth temps.
  const iLocal = 3 + nargs;
  const valueLocal = (k: number) => iLocal + 1 + k;
  const numTemp = (k: number) => iLocal + 1 + nargs + k;
  const vecLocal = (k: number) => iLocal + 1 + nargs + numTemps + k;
  const vecTemp = (n: LoweredNode) => vecLocal(nargs) + (sharedIndex.get(n) ?? 0);
  const boolTemp = (k: number) => vecLocal(nargs) + shared.length + k;
  const get = (l: number) => [0x20, ...uleb(l)];
  const set = (l: number) => [0x21, ...uleb(l)];
  const tee = (l: number) => [0x22, ...uleb(l)];
  // The code is straight-line (select evaluates both operands, and/or are bitwise), so a shared
  // node's first occurrence in emission order runs before every later one: it computes and tees
  // the local there, and the later ones read it.
  const once = <N extends LoweredNode>(local: (n: N) => number, body: (n: N) => number[]) => {
    const done = new Set<LoweredNode>();
    return (n: N): number[] => {
      if (!slot.has(n)) return body(n);
      const l = local(n);
      if (done.has(n)) return get(l);
      done.add(n);
      return [...body(n), ...tee(l)];
    };
  };
  const scalarTemp = (n: LoweredNode) => (isBool(n) ? boolTemp : numTemp)(slot.get(n) ?? 0);

  const emitBool: (b: Bool) => number[] = once(scalarTemp, (b: Bool): number[] => {
    switch (b.kind) {
      case 'cmp':
        return [...emit(b.left), ...emit(b.right), COMPARE[b.op]];
      case 'isNaN': {
        // Its operand is shared (a NaN test counts as two uses), or a constant or parameter read.
        const x = emit(b.arg);
        return [...x, ...emit(b.arg), 0x62];
      }
      case 'and':
        return [...emitBool(b.left), ...emitBool(b.right), 0x71];
      case 'or':
        return [...emitBool(b.left), ...emitBool(b.right), 0x72];
      case 'not':
        return [...emitBool(b.arg), 0x45];
    }
  });
  const emit: (e: Num) => number[] = once(scalarTemp, (e: Num): number[] => {
    switch (e.kind) {
      case 'num':
        return f64const(e.value);
      case 'param':
        return get(valueLocal(e.index));
      case 'neg':
        return [...emit(e.arg), 0x9a];
      case 'arith':
        return [...emit(e.left), ...emit(e.right), ARITH[e.op]];
      case 'select':
        return [...emit(e.ifTrue), ...emit(e.ifFalse), ...emitBool(e.test), 0x1b];
      case 'toNum':
        return [...emitBool(e.arg), 0xb8];
      case 'call': {
        const args = e.args.map(emit);
        const native = NATIVE_UNARY[e.fn];
        if (native !== undefined) return [...args[0]!, native];
        if (e.fn === 'fround') return [...args[0]!, 0xb6, 0xbb];
        if (e.fn === 'min' || e.fn === 'max') return [...args[0]!, ...args[1]!, e.fn === 'min' ? 0xa4 : 0xa5];
        if (e.fn === 'copySign') return [...args[0]!, ...args[1]!, 0xa6];
        const name = e.fn === 'rem' ? 'mod' : e.fn === 'powPos' ? 'pow' : e.fn;
        return [...args.flat(), 0x10, ...uleb(importIndex(name, args.length))];
      }
    }
  });

  const expr = emit(lowered);
  const emitVecBool: (b: Bool) => number[] = once(vecTemp, (b: Bool): number[] => {
    switch (b.kind) {
      case 'cmp':
        return [...emitVec(b.left), ...emitVec(b.right), ...SIMD(VEC_CMP[b.op])];
      case 'isNaN': {
        const x = emitVec(b.arg);
        return [...x, ...emitVec(b.arg), ...SIMD(VEC_CMP['!='])];
      }
      case 'and':
        return [...emitVecBool(b.left), ...emitVecBool(b.right), ...SIMD(0x4e)];
      case 'or':
        return [...emitVecBool(b.left), ...emitVecBool(b.right), ...SIMD(0x50)];
      case 'not':
        return [...emitVecBool(b.arg), ...SIMD(0x4d)];
    }
  });
  const emitVec: (e: Num) => number[] = once(vecTemp, (e: Num): number[] => {
    switch (e.kind) {
      case 'num':
        return [...f64const(e.value), ...SIMD(0x14)];
      case 'param':
        return get(vecLocal(e.index));
      case 'neg':
        return [...emitVec(e.arg), ...SIMD(0xed)];
      case 'arith':
        return [...emitVec(e.left), ...emitVec(e.right), ...SIMD(VEC_ARITH[e.op])];
      case 'select':
        // v128.bitselect takes the first operand's bits where the mask is set.
        return [...emitVec(e.ifTrue), ...emitVec(e.ifFalse), ...emitVecBool(e.test), ...SIMD(0x52)];
      case 'toNum':
        return [...emitVecBool(e.arg), ...f64const(1), ...SIMD(0x14), ...SIMD(0x4e)];
      case 'call': {
        const args = e.args.map(emitVec);
        if (e.fn === 'min' || e.fn === 'max')
          return [...args[0]!, ...args[1]!, ...SIMD(e.fn === 'min' ? 0xf4 : 0xf5)];
        const op = VEC_UNARY[e.fn];
        if (op === undefined) throw new Error(`broadcastModule: Math.${e.fn} is not vectorizable`);
        return [...args[0]!, ...SIMD(op)];
      }
    }
  });
  const useVec =
    outDtype === 'float64' &&
    [...layout].every((k, i) => k === 's' || dtypes[i] === 'float64') &&
    vectorizable(lowered);
  const body: number[] = [...get(1), ...set(iLocal)];
  if (useVec) {
    // Two elements per step while i + 1 < end; the scalar loop below finishes any odd one.
    const vexpr = emitVec(lowered);
    for (let k = 0; k < nargs; k++)
      if (layout[k] === 's') body.push(...get(3 + k), ...SIMD(0x14), ...set(vecLocal(k)));
    body.push(0x02, 0x40, 0x03, 0x40);
    body.push(...get(iLocal), 0x41, 1, 0x6a, ...get(2), 0x4f, 0x0d, 0x01);
    for (let k = 0; k < nargs; k++)
      if (layout[k] === 'a')
        body.push(
          ...get(3 + k),
          ...get(iLocal),
          0x41,
          3,
          0x74,
          0x6a,
          ...SIMD(0x00),
          3,
          0,
          ...set(vecLocal(k)),
        );
    body.push(...get(0), ...get(iLocal), 0x41, 3, 0x74, 0x6a);
    append(body, vexpr);
    body.push(...SIMD(0x0b), 3, 0);
    body.push(...get(iLocal), 0x41, 2, 0x6a, ...set(iLocal), 0x0c, 0x00, 0x0b, 0x0b);
  }
  body.push(0x02, 0x40, 0x03, 0x40);
  body.push(...get(iLocal), ...get(2), 0x4f, 0x0d, 0x01);
  for (let k = 0; k < nargs; k++) {
    const dt = dtypes[k];
    if (layout[k] === 's' || !dt) body.push(...get(3 + k), ...set(valueLocal(k)));
    else {
      const [op, align, conv] = LOAD[dt];
      const addr = [...get(3 + k), ...get(iLocal), 0x41, ...sleb(SHIFT[dt]), 0x74, 0x6a];
      body.push(...addr, op, align, 0x00, ...conv, ...set(valueLocal(k)));
    }
  }
  body.push(...get(0), ...get(iLocal), 0x41, ...sleb(SHIFT[outDtype]), 0x74, 0x6a);
  append(body, expr);
  if (outDtype === 'float64') body.push(0x39, 3, 0);
  else if (outDtype === 'float32') body.push(0xb6, 0x38, 2, 0);
  else throw new Error(`broadcastModule: output dtype ${outDtype} is not supported`);
  body.push(...get(iLocal), 0x41, 1, 0x6a, ...set(iLocal), 0x0c, 0x00, 0x0b, 0x0b, 0x0b);

  const runParams = [I32, I32, I32, ...[...layout].map((k) => (k === 'a' ? I32 : F64))];
  const types = [
    [0x60, ...vec(runParams.map((t) => [t])), 0x00],
    ...imports.map((im) => [0x60, ...vec(Array.from({ length: im.arity }, () => [F64])), 0x01, F64]),
  ];
  const importEntries = [
    [...str('env'), ...str('memory'), 0x02, 0x03, ...uleb(1), ...uleb(65536)],
    ...imports.map((im, i) => [...str('m'), ...str(im.name), 0x00, ...uleb(i + 1)]),
  ];
  const locals = vec([
    [...uleb(1), I32],
    [...uleb(nargs + numTemps), F64],
    [...uleb(nargs + shared.length), V128],
    [...uleb(boolTemps), I32],
  ]);
  const code = [...locals, ...body];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(2, vec(importEntries)),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...str('run'), 0x00, ...uleb(imports.length)]])),
    ...section(10, vec([[...uleb(code.length), ...code]])),
  ];
  return { bytes: new Uint8Array(bytes), imports };
}

/** The JS functions a broadcast module may import, on the `m` import object. */
export function mathImports(): Record<string, unknown> {
  const m: Record<string, unknown> = { mod: (a: number, b: number) => a % b };
  for (const k of Object.getOwnPropertyNames(Math)) m[k] = (Math as unknown as Record<string, unknown>)[k];
  return m;
}
