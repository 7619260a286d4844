/**
 * The counter-based random generator behind `rand`, `randn`, `randInto` and `drand`: element i of
 * a seeded array is a hash of (seed, i), with no state carried from one element to the next. So
 * every backend (a JS loop, a WGSL kernel) and every chunk layout of a DArray gives the same
 * numbers for the same seed, and each chunk makes its part without knowing the others'.
 *
 * The hash is two rounds of a 32-bit integer finaliser (xorshift-multiply), keyed by two words
 * derived from the seed; it needs only 32-bit wrapping multiply, xor and shifts, which WGSL has.
 * float32 arrays take 24 bits per uniform, float64 (and integer dtypes) 53 bits; a float32 uniform
 * is the float64 one truncated to 24 bits. Normals are Box–Muller, one pair of uniforms per element.
 */

/** 32-bit finaliser: a bijection on u32 with good avalanche. */
export function fmix32(v: number): number {
  let x = v >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The two key words of a seed (a safe integer; its high 21 bits count too). */
export function seedKeys(seed: number): [number, number] {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 2 ** 32) >>> 0;
  const k0 = fmix32(lo ^ 0x243f6a88);
  return [k0, fmix32((hi + 0x85a308d3) ^ k0)];
}

/** The odd constant that separates the words (streams) drawn for one element. */
export const WORD_STEP = 0x9e3779b9;

/** Word `w` of element `i` for keys `k`. */
export function randomWord(k: readonly [number, number], i: number, w: number): number {
  return fmix32(fmix32((i ^ k[0]) >>> 0) ^ ((k[1] + Math.imul(w, WORD_STEP)) >>> 0));
}

/** What to draw: uniform in [0, 1) or standard normal, and at what precision. */
export interface Draw {
  readonly normal: boolean;
  /** 24-bit uniforms (float32 arrays, every GPU array) or 53-bit ones. */
  readonly single: boolean;
}

/** The value of element `i` (its global linear index) for keys `k`. */
export function randomValue(k: readonly [number, number], i: number, d: Draw): number {
  const u = (w: number): number =>
    d.single
      ? (randomWord(k, i, w) >>> 8) * 2 ** -24
      : ((randomWord(k, i, w) >>> 5) * 2 ** 26 + (randomWord(k, i, w + 1) >>> 6)) * 2 ** -53;
  if (!d.normal) return u(0);
  // 1 - u is in (0, 1], so the log is finite.
  const u1 = 1 - u(0);
  const u2 = u(d.single ? 1 : 2);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** A seed for a call without one. */
export function freshSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}

/**
 * Global linear index of each element of a block: the block `box` of an array of shape `dims`,
 * visited in the block's own row-major order.
 */
export function globalIndexer(
  dims: readonly number[],
  box: readonly (readonly [number, number])[],
): (local: number) => number {
  const shape = box.map(([lo, hi]) => hi - lo);
  const strides = dims.map((_, k) => dims.slice(k + 1).reduce((s, n) => s * n, 1));
  return (local) => {
    let rem = local;
    let g = 0;
    for (let k = shape.length - 1; k >= 0; k--) {
      const n = shape[k] as number;
      g += ((rem % n) + (box[k]?.[0] ?? 0)) * (strides[k] as number);
      rem = Math.floor(rem / n);
    }
    return g;
  };
}
