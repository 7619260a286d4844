/*
 * Matrix–vector products over the WASM kernel heap with AVX2 and FMA: the CPU backend's matvec
 * where the processor has them (kernels/wasm/matvec.ts picks it; the WASM SIMD kernel otherwise).
 *
 * Why native code: the product streams the matrix once, so memory bandwidth bounds it, and on the
 * 2-core test VM the WASM kernel's 128-bit loads reached 19.6 GB/s with two threads where the same
 * loop with 256-bit loads and FMA reached 23.5 GB/s, the rate of OpenBLAS's dgemv (22.7 GB/s);
 * WebAssembly has no 256-bit vectors and Node 20 keeps relaxed-SIMD FMA behind a flag.
 *
 * Arguments are byte offsets into the heap (a Uint8Array over the WebAssembly.Memory's buffer), as
 * the WASM kernel takes them, so both run on the same arrays from the calling thread and from the
 * pool's threads. Every range is checked against the heap before a byte is read. Rows go eight or
 * four at a time and a lone row through the same loop with one row, so a row's sum never depends on
 * which thread ran it or where its chunk started. The module keeps no state besides the CPU check, so
 * each worker thread may load it (NAPI_MODULE_INIT makes it context-aware).
 */
#define NAPI_VERSION 8
#include <immintrin.h>
#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AVX2 __attribute__((target("avx2,fma")))
#define INLINE static inline __attribute__((always_inline))

AVX2 INLINE double hsum_pd(__m256d v) {
  __m128d lo = _mm256_castpd256_pd128(v), hi = _mm256_extractf128_pd(v, 1);
  lo = _mm_add_pd(lo, hi);
  return _mm_cvtsd_f64(_mm_add_sd(lo, _mm_unpackhi_pd(lo, lo)));
}

AVX2 INLINE float hsum_ps(__m256 v) {
  __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
  lo = _mm_add_ps(lo, hi);
  lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
  return _mm_cvtss_f32(_mm_add_ss(lo, _mm_shuffle_ps(lo, lo, 1)));
}

/*
 * R rows (1, 4 or 8, a constant once inlined) from row pointer a, one accumulator per row fed twice
 * per step. Eight rows keep eight streams of the matrix in flight, which the hardware prefetcher
 * follows on its own. On an AMD EPYC VM (32 MiB L3, n = 4096, A/B against the earlier four rows
 * with software prefetches six lines ahead, alternating rounds in one process) this measured
 * 4-8 % faster on one thread in float32 and float64 alike, and no slower on two; built with -O3,
 * which alone gave 3-5 % on one thread. (On the VM's earlier host, four rows with prefetches had
 * beaten two accumulators per row without them by 2-3 %.)
 */
AVX2 INLINE void rows_f64(const double *a, size_t lda, const double *x, double *y, int n, int R, bool acc) {
  __m256d s[8];
  for (int k = 0; k < R; k++) s[k] = _mm256_setzero_pd();
  int j = 0;
  for (; j + 8 <= n; j += 8) {
    __m256d xv = _mm256_loadu_pd(x + j), xw = _mm256_loadu_pd(x + j + 4);
    for (int k = 0; k < R; k++) {
      const double *p = a + k * lda + j;
      s[k] = _mm256_fmadd_pd(_mm256_loadu_pd(p), xv, s[k]);
      s[k] = _mm256_fmadd_pd(_mm256_loadu_pd(p + 4), xw, s[k]);
    }
  }
  if (j + 4 <= n) {
    __m256d xv = _mm256_loadu_pd(x + j);
    for (int k = 0; k < R; k++) s[k] = _mm256_fmadd_pd(_mm256_loadu_pd(a + k * lda + j), xv, s[k]);
    j += 4;
  }
  for (int k = 0; k < R; k++) {
    double sum = hsum_pd(s[k]);
    for (int i = j; i < n; i++) sum += a[k * lda + i] * x[i];
    y[k] = acc ? y[k] + sum : sum;
  }
}

AVX2 INLINE void rows_f32(const float *a, size_t lda, const float *x, float *y, int n, int R, bool acc) {
  __m256 s[8];
  for (int k = 0; k < R; k++) s[k] = _mm256_setzero_ps();
  int j = 0;
  for (; j + 16 <= n; j += 16) {
    __m256 xv = _mm256_loadu_ps(x + j), xw = _mm256_loadu_ps(x + j + 8);
    for (int k = 0; k < R; k++) {
      const float *p = a + k * lda + j;
      s[k] = _mm256_fmadd_ps(_mm256_loadu_ps(p), xv, s[k]);
      s[k] = _mm256_fmadd_ps(_mm256_loadu_ps(p + 8), xw, s[k]);
    }
  }
  if (j + 8 <= n) {
    __m256 xv = _mm256_loadu_ps(x + j);
    for (int k = 0; k < R; k++) s[k] = _mm256_fmadd_ps(_mm256_loadu_ps(a + k * lda + j), xv, s[k]);
    j += 8;
  }
  for (int k = 0; k < R; k++) {
    float sum = hsum_ps(s[k]);
    for (int i = j; i < n; i++) sum += a[k * lda + i] * x[i];
    y[k] = acc ? y[k] + sum : sum;
  }
}

AVX2 static void matvec_f64(const double *a, const double *x, double *y, int n, size_t lda, int start, int end, bool acc) {
  int r = start;
  for (; r + 8 <= end; r += 8) rows_f64(a + (size_t)r * lda, lda, x, y + r, n, 8, acc);
  for (; r + 4 <= end; r += 4) rows_f64(a + (size_t)r * lda, lda, x, y + r, n, 4, acc);
  for (; r < end; r++) rows_f64(a + (size_t)r * lda, lda, x, y + r, n, 1, acc);
}

AVX2 static void matvec_f32(const float *a, const float *x, float *y, int n, size_t lda, int start, int end, bool acc) {
  int r = start;
  for (; r + 8 <= end; r += 8) rows_f32(a + (size_t)r * lda, lda, x, y + r, n, 8, acc);
  for (; r + 4 <= end; r += 4) rows_f32(a + (size_t)r * lda, lda, x, y + r, n, 4, acc);
  for (; r < end; r++) rows_f32(a + (size_t)r * lda, lda, x, y + r, n, 1, acc);
}

static bool cpu_ok(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

static napi_value range_error(napi_env env, const char *msg) {
  napi_throw_range_error(env, NULL, msg);
  return NULL;
}

/*
 * f64|f32(heap, a, x, y, n, lda, start, end, acc): y[r] (+)= Σ_j A[r, j]·x[j] for start ≤ r < end,
 * A's rows lda elements apart; a, x and y are byte offsets into heap, y pointing at row 0's slot.
 */
static napi_value run(napi_env env, napi_callback_info info, size_t bpe) {
  size_t argc = 9;
  napi_value argv[9];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 9)
    return range_error(env, "matvec expects (heap, a, x, y, n, lda, start, end, acc)");
  if (!cpu_ok()) return range_error(env, "matvec: this CPU lacks AVX2 or FMA; use the WASM kernel");
  uint8_t *heap = NULL;
  size_t len = 0, off = 0;
  napi_typedarray_type type;
  napi_value ab;
  if (napi_get_typedarray_info(env, argv[0], &type, &len, (void **)&heap, &ab, &off) != napi_ok ||
      type != napi_uint8_array)
    return range_error(env, "matvec: heap must be a Uint8Array over the kernel heap");
  int64_t v[8];
  for (int i = 0; i < 8; i++)
    if (napi_get_value_int64(env, argv[i + 1], &v[i]) != napi_ok || v[i] < 0)
      return range_error(env, "matvec: offsets and sizes must be non-negative numbers");
  int64_t a = v[0], x = v[1], y = v[2], n = v[3], lda = v[4], start = v[5], end = v[6];
  if (end <= start) return NULL;
  if (n > INT32_MAX || end > INT32_MAX || lda < n || a % bpe || x % bpe || y % bpe)
    return range_error(env, "matvec: unaligned offset, lda < n, or sizes past 2^31");
  /* The last byte each operand touches must lie inside the heap. */
  int64_t heapLen = (int64_t)len;
  if (a + ((end - 1) * lda + n) * (int64_t)bpe > heapLen || x + n * (int64_t)bpe > heapLen ||
      y + end * (int64_t)bpe > heapLen)
    return range_error(env, "matvec: an operand reaches past the end of the heap");
  bool acc = v[7] != 0;
  if (bpe == 8)
    matvec_f64((const double *)(heap + a), (const double *)(heap + x), (double *)(heap + y), (int)n, (size_t)lda,
               (int)start, (int)end, acc);
  else
    matvec_f32((const float *)(heap + a), (const float *)(heap + x), (float *)(heap + y), (int)n, (size_t)lda,
               (int)start, (int)end, acc);
  return NULL;
}

static napi_value run_f64(napi_env env, napi_callback_info info) { return run(env, info, 8); }
static napi_value run_f32(napi_env env, napi_callback_info info) { return run(env, info, 4); }

static napi_value supported(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value r;
  napi_get_boolean(env, cpu_ok(), &r);
  return r;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"supported", NULL, supported, NULL, NULL, NULL, napi_enumerable, NULL},
      {"f64", NULL, run_f64, NULL, NULL, NULL, napi_enumerable, NULL},
      {"f32", NULL, run_f32, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
