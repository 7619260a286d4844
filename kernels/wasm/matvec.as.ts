// AssemblyScript: y[r] = Σ_j A[r, j]·x[j] for rows start ≤ r < end of a row-major matrix of n
// columns whose rows are lda elements apart (lda > n for a block of columns of a wider matrix);
// with acc ≠ 0 the sums are added to y instead of replacing it, so a product can be built from
// column blocks as their parts of x arrive.
// Four rows per pass so each SIMD load of x feeds four multiply-adds and the memory system sees
// four streams at once; the matrix streams through once, which makes this bound by memory
// bandwidth, as BLAS gemv is. Pointers are byte offsets into the shared memory; rows are split
// between threads by the caller.
//
// The inner loops advance one pointer per row instead of adding an offset to each row's base:
// V8 then emits one load per operand with no address arithmetic, which measured 10–20% faster
// than the indexed form once two threads stream at once. Each pass takes two vectors per row
// (the second at a constant offset, folded into the load) and adds their products before the
// accumulator: half the pointer updates and loop checks per byte, and still one dependent add
// per row per pass. Where the matrix sits in cache, so that the loop and not memory bounds the
// product, this measured 10–20% faster for float32 and about 5% for float64 than one vector a pass.

export function matvec_f64(
  a: usize,
  x: usize,
  y: usize,
  n: i32,
  lda: i32,
  start: i32,
  end: i32,
  acc: i32,
): void {
  const row: usize = (<usize>lda) << 3;
  // Bytes of each row covered by pairs of SIMD vectors, then by one more vector; the odd last
  // element is done in scalar code.
  const pairs: usize = (<usize>(n & ~3)) << 3;
  const body: usize = (<usize>(n & ~1)) << 3;
  const xp2: usize = x + pairs;
  const xe: usize = x + body;
  let r: i32 = start;
  for (; r + 3 < end; r += 4) {
    let p0: usize = a + <usize>r * row;
    let p1: usize = p0 + row;
    let p2: usize = p1 + row;
    let p3: usize = p2 + row;
    let s0 = f64x2.splat(0);
    let s1 = f64x2.splat(0);
    let s2 = f64x2.splat(0);
    let s3 = f64x2.splat(0);
    for (let xp: usize = x; xp < xp2; xp += 32) {
      const xv = v128.load(xp);
      const xw = v128.load(xp, 16);
      s0 = f64x2.add(s0, f64x2.add(f64x2.mul(v128.load(p0), xv), f64x2.mul(v128.load(p0, 16), xw)));
      s1 = f64x2.add(s1, f64x2.add(f64x2.mul(v128.load(p1), xv), f64x2.mul(v128.load(p1, 16), xw)));
      s2 = f64x2.add(s2, f64x2.add(f64x2.mul(v128.load(p2), xv), f64x2.mul(v128.load(p2, 16), xw)));
      s3 = f64x2.add(s3, f64x2.add(f64x2.mul(v128.load(p3), xv), f64x2.mul(v128.load(p3, 16), xw)));
      p0 += 32;
      p1 += 32;
      p2 += 32;
      p3 += 32;
    }
    if (xe > xp2) {
      const xv = v128.load(xp2);
      s0 = f64x2.add(s0, f64x2.mul(v128.load(p0), xv));
      s1 = f64x2.add(s1, f64x2.mul(v128.load(p1), xv));
      s2 = f64x2.add(s2, f64x2.mul(v128.load(p2), xv));
      s3 = f64x2.add(s3, f64x2.mul(v128.load(p3), xv));
      p0 += 16;
      p1 += 16;
      p2 += 16;
      p3 += 16;
    }
    let t0 = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1);
    let t1 = f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1);
    let t2 = f64x2.extract_lane(s2, 0) + f64x2.extract_lane(s2, 1);
    let t3 = f64x2.extract_lane(s3, 0) + f64x2.extract_lane(s3, 1);
    if (n & 1) {
      const xj = load<f64>(xe);
      t0 += load<f64>(p0) * xj;
      t1 += load<f64>(p1) * xj;
      t2 += load<f64>(p2) * xj;
      t3 += load<f64>(p3) * xj;
    }
    const q: usize = y + ((<usize>r) << 3);
    if (acc) {
      t0 += load<f64>(q);
      t1 += load<f64>(q, 8);
      t2 += load<f64>(q, 16);
      t3 += load<f64>(q, 24);
    }
    store<f64>(q, t0);
    store<f64>(q, t1, 8);
    store<f64>(q, t2, 16);
    store<f64>(q, t3, 24);
  }
  for (; r < end; r++) {
    let p: usize = a + <usize>r * row;
    let s = f64x2.splat(0);
    for (let xp: usize = x; xp < xe; xp += 16) {
      s = f64x2.add(s, f64x2.mul(v128.load(p), v128.load(xp)));
      p += 16;
    }
    let t = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
    if (n & 1) t += load<f64>(p) * load<f64>(xe);
    const q: usize = y + ((<usize>r) << 3);
    store<f64>(q, acc ? t + load<f64>(q) : t);
  }
}

export function matvec_f32(
  a: usize,
  x: usize,
  y: usize,
  n: i32,
  lda: i32,
  start: i32,
  end: i32,
  acc: i32,
): void {
  const row: usize = (<usize>lda) << 2;
  const pairs: usize = (<usize>(n & ~7)) << 2;
  const body: usize = (<usize>(n & ~3)) << 2;
  const xp2: usize = x + pairs;
  const xe: usize = x + body;
  const tail: usize = ((<usize>n) << 2) - body;
  let r: i32 = start;
  for (; r + 3 < end; r += 4) {
    let p0: usize = a + <usize>r * row;
    let p1: usize = p0 + row;
    let p2: usize = p1 + row;
    let p3: usize = p2 + row;
    let s0 = f32x4.splat(0);
    let s1 = f32x4.splat(0);
    let s2 = f32x4.splat(0);
    let s3 = f32x4.splat(0);
    for (let xp: usize = x; xp < xp2; xp += 32) {
      const xv = v128.load(xp);
      const xw = v128.load(xp, 16);
      s0 = f32x4.add(s0, f32x4.add(f32x4.mul(v128.load(p0), xv), f32x4.mul(v128.load(p0, 16), xw)));
      s1 = f32x4.add(s1, f32x4.add(f32x4.mul(v128.load(p1), xv), f32x4.mul(v128.load(p1, 16), xw)));
      s2 = f32x4.add(s2, f32x4.add(f32x4.mul(v128.load(p2), xv), f32x4.mul(v128.load(p2, 16), xw)));
      s3 = f32x4.add(s3, f32x4.add(f32x4.mul(v128.load(p3), xv), f32x4.mul(v128.load(p3, 16), xw)));
      p0 += 32;
      p1 += 32;
      p2 += 32;
      p3 += 32;
    }
    if (xe > xp2) {
      const xv = v128.load(xp2);
      s0 = f32x4.add(s0, f32x4.mul(v128.load(p0), xv));
      s1 = f32x4.add(s1, f32x4.mul(v128.load(p1), xv));
      s2 = f32x4.add(s2, f32x4.mul(v128.load(p2), xv));
      s3 = f32x4.add(s3, f32x4.mul(v128.load(p3), xv));
      p0 += 16;
      p1 += 16;
      p2 += 16;
      p3 += 16;
    }
    let t0 = hsum(s0);
    let t1 = hsum(s1);
    let t2 = hsum(s2);
    let t3 = hsum(s3);
    for (let o: usize = 0; o < tail; o += 4) {
      const xj = load<f32>(xe + o);
      t0 += load<f32>(p0 + o) * xj;
      t1 += load<f32>(p1 + o) * xj;
      t2 += load<f32>(p2 + o) * xj;
      t3 += load<f32>(p3 + o) * xj;
    }
    const q: usize = y + ((<usize>r) << 2);
    if (acc) {
      t0 += load<f32>(q);
      t1 += load<f32>(q, 4);
      t2 += load<f32>(q, 8);
      t3 += load<f32>(q, 12);
    }
    store<f32>(q, t0);
    store<f32>(q, t1, 4);
    store<f32>(q, t2, 8);
    store<f32>(q, t3, 12);
  }
  for (; r < end; r++) {
    let p: usize = a + <usize>r * row;
    let s = f32x4.splat(0);
    for (let xp: usize = x; xp < xe; xp += 16) {
      s = f32x4.add(s, f32x4.mul(v128.load(p), v128.load(xp)));
      p += 16;
    }
    let t = hsum(s);
    for (let o: usize = 0; o < tail; o += 4) t += load<f32>(p + o) * load<f32>(xe + o);
    const q: usize = y + ((<usize>r) << 2);
    store<f32>(q, acc ? t + load<f32>(q) : t);
  }
}

function hsum(v: v128): f32 {
  return (
    f32x4.extract_lane(v, 0) +
    f32x4.extract_lane(v, 1) +
    (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3))
  );
}
