/* STREAM-style triad a[i] = b[i] + q*c[i] over doubles, the peer of bench/triad.ts.
 * Built by the benchmark with the system C compiler (-O3 -march=native, OpenMP when available).
 * Usage: stream_triad N REPEATS; prints one JSON line with the best time and GB/s counted as STREAM
 * does (3 arrays x 8 bytes per element, no write-allocate traffic). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1L << 25;
  int reps = argc > 2 ? atoi(argv[2]) : 10;
  double *a = aligned_alloc(64, n * sizeof(double));
  double *b = aligned_alloc(64, n * sizeof(double));
  double *c = aligned_alloc(64, n * sizeof(double));
  const double q = 3.0;
#pragma omp parallel for
  for (long i = 0; i < n; i++) { a[i] = 0; b[i] = 1.0 + i % 7; c[i] = 2.0; }
  double best = 1e30;
  for (int r = 0; r < reps; r++) {
    double t = now();
#pragma omp parallel for
    for (long i = 0; i < n; i++) a[i] = b[i] + q * c[i];
    t = now() - t;
    if (t < best) best = t;
  }
  int threads = 1;
#ifdef _OPENMP
  threads = omp_get_max_threads();
#endif
  printf("{\"seconds\": %.9f, \"gbs\": %.3f, \"threads\": %d, \"check\": %.1f}\n", best, 24.0 * n / best / 1e9, threads, a[n / 2]);
  return 0;
}
