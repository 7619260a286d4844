/* STREAM-like read bandwidth with T threads: each thread sums its own array (the access pattern of
 * a matvec's matrix read). Prints one JSON line: the best aggregate GB/s over the repetitions.
 * With PAGES "huge" the arrays are 2 MiB aligned and madvise(MADV_HUGEPAGE)d, as NumPy does with its
 * large arrays; with "small" (the default) they come from plain malloc, which under THP "madvise"
 * mode gets 4 KiB pages. Sequential streams read faster from huge pages (fewer TLB misses, and the
 * prefetchers stop at fewer page edges), so a peer on huge pages can beat the "small" bound.
 * Build: cc -O3 -march=native -ffast-math -pthread stream_read.c -o stream_read
 * Run: stream_read THREADS MIB_PER_THREAD REPS [small|huge] */
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct { double *a; size_t n; double sum; pthread_barrier_t *bar; int reps; double *secs; } job_t;

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

static void *run(void *p) {
  job_t *j = p;
  for (size_t i = 0; i < j->n; i++) j->a[i] = 1.0 + (double)(i & 7);
  for (int r = 0; r < j->reps; r++) {
    pthread_barrier_wait(j->bar);
    double t0 = now();
    /* Eight independent sums, vectorised by the compiler (-ffast-math allows reassociating them), so
     * the loop waits on memory, not on the latency of floating-point adds. */
    double s[8] = {0};
    for (size_t i = 0; i + 7 < j->n; i += 8)
      for (int k = 0; k < 8; k++) s[k] += j->a[i + k];
    for (int k = 0; k < 8; k++) j->sum += s[k];
    pthread_barrier_wait(j->bar);
    double dt = now() - t0;
    if (dt > j->secs[r]) j->secs[r] = dt;
  }
  return NULL;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  size_t mib = argc > 2 ? (size_t)atol(argv[2]) : 256;
  int reps = argc > 3 ? atoi(argv[3]) : 10;
  int huge = argc > 4 && strcmp(argv[4], "huge") == 0;
  size_t n = mib * 1024 * 1024 / sizeof(double);
  pthread_barrier_t bar;
  pthread_barrier_init(&bar, NULL, threads);
  double *secs = calloc(reps, sizeof(double));
  pthread_t *tid = malloc(sizeof(pthread_t) * threads);
  job_t *jobs = calloc(threads, sizeof(job_t));
  for (int t = 0; t < threads; t++) {
    double *a;
    if (huge) {
      a = aligned_alloc(2u << 20, (n * sizeof(double) + (2u << 20) - 1) & ~(size_t)((2u << 20) - 1));
#ifdef MADV_HUGEPAGE
      madvise(a, n * sizeof(double), MADV_HUGEPAGE);
#endif
    } else
      a = malloc(n * sizeof(double));
    jobs[t] = (job_t){ a, n, 0, &bar, reps, secs };
    pthread_create(&tid[t], NULL, run, &jobs[t]);
  }
  double check = 0;
  for (int t = 0; t < threads; t++) { pthread_join(tid[t], NULL); check += jobs[t].sum; }
  double best = 1e30;
  for (int r = 1; r < reps; r++) if (secs[r] < best) best = secs[r];
  printf("{\"threads\": %d, \"pages\": \"%s\", \"gbps\": %.3f, \"check\": %.1f}\n", threads, huge ? "huge" : "small", threads * n * sizeof(double) / best / 1e9, check);
  return 0;
}
