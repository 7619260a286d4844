// AssemblyScript: y[r] = Σ_j A[r, j]·x[j] for rows start ≤ r < end of a row-major m×n matrix.
// Four rows per pass so each SIMD load of x feeds four multiply-adds; the matrix streams through
// once, which makes this bound by memory bandwidth, as BLAS gemv is. Pointers are byte offsets
// into the shared memory; rows are split between threads by the caller.

export function matvec_f64(a: usize, x: usize, y: usize, n: i32, start: i32, end: i32): void {
  const row: usize = (<usize>n) << 3;
  const n2: i32 = n & ~1;
  let r: i32 = start;
  for (; r + 3 < end; r += 4) {
    const p0: usize = a + <usize>r * row;
    const p1: usize = p0 + row;
    const p2: usize = p1 + row;
    const p3: usize = p2 + row;
    let s0 = f64x2.splat(0);
    let s1 = f64x2.splat(0);
    let s2 = f64x2.splat(0);
    let s3 = f64x2.splat(0);
    // Two accumulators per row: the adds of one chain wait on the previous add's latency.
    let u0 = f64x2.splat(0);
    let u1 = f64x2.splat(0);
    let u2 = f64x2.splat(0);
    let u3 = f64x2.splat(0);
    const n4: i32 = n & ~3;
    for (let j: i32 = 0; j < n4; j += 4) {
      const o: usize = (<usize>j) << 3;
      const xv = v128.load(x + o);
      const xw = v128.load(x + o, 16);
      s0 = f64x2.add(s0, f64x2.mul(v128.load(p0 + o), xv));
      s1 = f64x2.add(s1, f64x2.mul(v128.load(p1 + o), xv));
      s2 = f64x2.add(s2, f64x2.mul(v128.load(p2 + o), xv));
      s3 = f64x2.add(s3, f64x2.mul(v128.load(p3 + o), xv));
      u0 = f64x2.add(u0, f64x2.mul(v128.load(p0 + o, 16), xw));
      u1 = f64x2.add(u1, f64x2.mul(v128.load(p1 + o, 16), xw));
      u2 = f64x2.add(u2, f64x2.mul(v128.load(p2 + o, 16), xw));
      u3 = f64x2.add(u3, f64x2.mul(v128.load(p3 + o, 16), xw));
    }
    if (n4 < n2) {
      const o: usize = (<usize>n4) << 3;
      const xv = v128.load(x + o);
      s0 = f64x2.add(s0, f64x2.mul(v128.load(p0 + o), xv));
      s1 = f64x2.add(s1, f64x2.mul(v128.load(p1 + o), xv));
      s2 = f64x2.add(s2, f64x2.mul(v128.load(p2 + o), xv));
      s3 = f64x2.add(s3, f64x2.mul(v128.load(p3 + o), xv));
    }
    s0 = f64x2.add(s0, u0);
    s1 = f64x2.add(s1, u1);
    s2 = f64x2.add(s2, u2);
    s3 = f64x2.add(s3, u3);
    let t0 = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1);
    let t1 = f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1);
    let t2 = f64x2.extract_lane(s2, 0) + f64x2.extract_lane(s2, 1);
    let t3 = f64x2.extract_lane(s3, 0) + f64x2.extract_lane(s3, 1);
    for (let j: i32 = n2; j < n; j++) {
      const o: usize = (<usize>j) << 3;
      const xj = load<f64>(x + o);
      t0 += load<f64>(p0 + o) * xj;
      t1 += load<f64>(p1 + o) * xj;
      t2 += load<f64>(p2 + o) * xj;
      t3 += load<f64>(p3 + o) * xj;
    }
    const q: usize = y + ((<usize>r) << 3);
    store<f64>(q, t0);
    store<f64>(q, t1, 8);
    store<f64>(q, t2, 16);
    store<f64>(q, t3, 24);
  }
  for (; r < end; r++) {
    const p: usize = a + <usize>r * row;
    let s = f64x2.splat(0);
    for (let j: i32 = 0; j < n2; j += 2) {
      const o: usize = (<usize>j) << 3;
      s = f64x2.add(s, f64x2.mul(v128.load(p + o), v128.load(x + o)));
    }
    let t = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
    for (let j: i32 = n2; j < n; j++)
      t += load<f64>(p + ((<usize>j) << 3)) * load<f64>(x + ((<usize>j) << 3));
    store<f64>(y + ((<usize>r) << 3), t);
  }
}

export function matvec_f32(a: usize, x: usize, y: usize, n: i32, start: i32, end: i32): void {
  const row: usize = (<usize>n) << 2;
  const n4: i32 = n & ~3;
  let r: i32 = start;
  for (; r + 3 < end; r += 4) {
    const p0: usize = a + <usize>r * row;
    const p1: usize = p0 + row;
    const p2: usize = p1 + row;
    const p3: usize = p2 + row;
    let s0 = f32x4.splat(0);
    let s1 = f32x4.splat(0);
    let s2 = f32x4.splat(0);
    let s3 = f32x4.splat(0);
    // Two accumulators per row: the adds of one chain wait on the previous add's latency.
    let u0 = f32x4.splat(0);
    let u1 = f32x4.splat(0);
    let u2 = f32x4.splat(0);
    let u3 = f32x4.splat(0);
    const n8: i32 = n & ~7;
    for (let j: i32 = 0; j < n8; j += 8) {
      const o: usize = (<usize>j) << 2;
      const xv = v128.load(x + o);
      const xw = v128.load(x + o, 16);
      s0 = f32x4.add(s0, f32x4.mul(v128.load(p0 + o), xv));
      s1 = f32x4.add(s1, f32x4.mul(v128.load(p1 + o), xv));
      s2 = f32x4.add(s2, f32x4.mul(v128.load(p2 + o), xv));
      s3 = f32x4.add(s3, f32x4.mul(v128.load(p3 + o), xv));
      u0 = f32x4.add(u0, f32x4.mul(v128.load(p0 + o, 16), xw));
      u1 = f32x4.add(u1, f32x4.mul(v128.load(p1 + o, 16), xw));
      u2 = f32x4.add(u2, f32x4.mul(v128.load(p2 + o, 16), xw));
      u3 = f32x4.add(u3, f32x4.mul(v128.load(p3 + o, 16), xw));
    }
    if (n8 < n4) {
      const o: usize = (<usize>n8) << 2;
      const xv = v128.load(x + o);
      s0 = f32x4.add(s0, f32x4.mul(v128.load(p0 + o), xv));
      s1 = f32x4.add(s1, f32x4.mul(v128.load(p1 + o), xv));
      s2 = f32x4.add(s2, f32x4.mul(v128.load(p2 + o), xv));
      s3 = f32x4.add(s3, f32x4.mul(v128.load(p3 + o), xv));
    }
    s0 = f32x4.add(s0, u0);
    s1 = f32x4.add(s1, u1);
    s2 = f32x4.add(s2, u2);
    s3 = f32x4.add(s3, u3);
    let t0 = hsum(s0);
    let t1 = hsum(s1);
    let t2 = hsum(s2);
    let t3 = hsum(s3);
    for (let j: i32 = n4; j < n; j++) {
      const o: usize = (<usize>j) << 2;
      const xj = load<f32>(x + o);
      t0 += load<f32>(p0 + o) * xj;
      t1 += load<f32>(p1 + o) * xj;
      t2 += load<f32>(p2 + o) * xj;
      t3 += load<f32>(p3 + o) * xj;
    }
    const q: usize = y + ((<usize>r) << 2);
    store<f32>(q, t0);
    store<f32>(q, t1, 4);
    store<f32>(q, t2, 8);
    store<f32>(q, t3, 12);
  }
  for (; r < end; r++) {
    const p: usize = a + <usize>r * row;
    let s = f32x4.splat(0);
    for (let j: i32 = 0; j < n4; j += 4) {
      const o: usize = (<usize>j) << 2;
      s = f32x4.add(s, f32x4.mul(v128.load(p + o), v128.load(x + o)));
    }
    let t = hsum(s);
    for (let j: i32 = n4; j < n; j++)
      t += load<f32>(p + ((<usize>j) << 2)) * load<f32>(x + ((<usize>j) << 2));
    store<f32>(y + ((<usize>r) << 2), t);
  }
}

function hsum(v: v128): f32 {
  return (
    f32x4.extract_lane(v, 0) +
    f32x4.extract_lane(v, 1) +
    (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3))
  );
}
