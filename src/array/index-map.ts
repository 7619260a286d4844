/**
 * Index maps: how the shape ops (reshape, permutedims, circshift, repeat, similar) read their
 * source. Every result element at row-major coordinates o reads the source element at flat index
 * Σ_k ((⌊o_k / div_k⌋ + shift_k) mod mod_k) · stride_k. One map shape serves every op, so each GPU
 * backend needs one gather kernel (WGSL, tfjs ops, gpu.js) rather than one per op.
 */
import { stridesOf } from './shape.js';

/** How one result dimension contributes to the source's flat index. */
export interface IndexTerm {
  readonly div: number;
  /** In [0, mod). */
  readonly shift: number;
  readonly mod: number;
  readonly stride: number;
}

/** A gather: the result's shape and, per result dimension, its term of the source index. */
export interface IndexMap {
  /** The shape the kernel iterates over (row-major), one term per dimension. */
  readonly shape: readonly number[];
  readonly terms: readonly IndexTerm[];
  /** The shape of the array returned, if not `shape` (same size): reshape iterates its source's shape. */
  readonly resultShape?: readonly number[];
}

/** The source flat index of result element `flat` (the reference every kernel must agree with). */
export function sourceIndex(map: IndexMap, flat: number): number {
  let rem = flat;
  let src = 0;
  for (let k = map.shape.length - 1; k >= 0; k--) {
    const n = map.shape[k] as number;
    const o = rem % n;
    rem = (rem - o) / n;
    const t = map.terms[k] as IndexTerm;
    src += ((Math.floor(o / t.div) + t.shift) % t.mod) * t.stride;
  }
  return src;
}

/** Row-major reshape: the same elements in the same order under a new shape. */
export function reshapeMap(shape: readonly number[]): IndexMap {
  const s = stridesOf(shape);
  return {
    shape,
    terms: shape.map((n, k) => ({ div: 1, shift: 0, mod: Math.max(n, 1), stride: s[k] as number })),
  };
}

/** Result dimension k is source dimension perm[k]. */
export function permuteMap(shape: readonly number[], perm: readonly number[]): IndexMap {
  const s = stridesOf(shape);
  const out = perm.map((p) => shape[p] as number);
  return {
    shape: out,
    terms: perm.map((p, k) => ({
      div: 1,
      shift: 0,
      mod: Math.max(out[k] as number, 1),
      stride: s[p] as number,
    })),
  };
}

/** result[i] = source[(i - shift) mod n] per dimension; shifts already reduced to [0, n). */
export function circshiftMap(shape: readonly number[], shifts: readonly number[]): IndexMap {
  const s = stridesOf(shape);
  return {
    shape,
    terms: shape.map((n, k) => ({
      div: 1,
      shift: n === 0 ? 0 : (n - (shifts[k] as number)) % n,
      mod: Math.max(n, 1),
      stride: s[k] as number,
    })),
  };
}

/**
 * Julia's repeat(A; inner, outer) on a shape already padded to the counts' length: each element
 * repeated inner[k] times, then the whole block outer[k] times, along each dimension.
 */
export function repeatMap(
  shape: readonly number[],
  inner: readonly number[],
  outer: readonly number[],
): IndexMap {
  const s = stridesOf(shape);
  return {
    shape: shape.map((n, k) => n * (inner[k] as number) * (outer[k] as number)),
    terms: shape.map((n, k) => ({
      div: inner[k] as number,
      shift: 0,
      mod: Math.max(n, 1),
      stride: s[k] as number,
    })),
  };
}

/** Every element reads source element 0 (a one-element source of the fill value). */
export function fillMap(shape: readonly number[]): IndexMap {
  return { shape, terms: shape.map(() => ({ div: 1, shift: 0, mod: 1, stride: 0 })) };
}
