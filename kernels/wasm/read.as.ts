// A STREAM-like read: sums n float64 values with four SIMD accumulators, so the loop is bound by
// memory bandwidth alone. Used to measure the bandwidth bound that matvec-heavy jobs are held to.
export function read_f64(a: usize, n: i32): f64 {
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  let s2 = f64x2.splat(0);
  let s3 = f64x2.splat(0);
  const end = a + ((<usize>(n & ~7)) << 3);
  for (let p = a; p < end; p += 64) {
    s0 = f64x2.add(s0, v128.load(p));
    s1 = f64x2.add(s1, v128.load(p, 16));
    s2 = f64x2.add(s2, v128.load(p, 32));
    s3 = f64x2.add(s3, v128.load(p, 48));
  }
  const s = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
  let total = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (let i = n & ~7; i < n; i++) total += load<f64>(a + ((<usize>i) << 3));
  return total;
}
