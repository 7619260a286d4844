"""Dask peer of bench/darray-power.ts: the manual's power_method on a dask.array matrix split by
rows over a dask.distributed LocalCluster with 2 single-threaded worker processes.

Usage: python3 dask_power.py N ITERS WORKERS. Prints a JSON hello line, then for each "run" line
on stdin runs power_method once and prints {"seconds", "lambda"}.

Each run starts from its own copy of the start vector (made and persisted before the clock
starts). Dask names a task by a hash of its inputs, so runs from the same vector would submit the
same task names as the run before, and a scheduler that still holds some of those results (the
last run's are released asynchronously) skips their work: on the 2-core VM, repeated runs took
15-25 ms per iteration against 90-100 ms for runs that compute everything.
"""
import json, sys, time

import dask.array as da
import numpy as np
from dask.distributed import Client, LocalCluster, wait


def main():
    n, iters, workers = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    rows = -(-n // workers)
    M = da.random.RandomState(1).random_sample((n, n), chunks=(rows, n)).persist()
    v0 = da.random.RandomState(2).random_sample(n, chunks=rows).persist()
    wait([M, v0])

    def power_method(M, v):
        for _ in range(iters):
            y = M.dot(v)
            v = (y / da.linalg.norm(y)).persist()
        lam = (da.linalg.norm(M.dot(v)) / da.linalg.norm(v)).compute()
        return v, lam

    power_method(M, v0)
    print(json.dumps({"dask": __import__("dask").__version__, "workers": workers}), flush=True)
    runs = 0
    for line in sys.stdin:
        if line.strip() != "run":
            break
        runs += 1
        v = (v0 * (1 + runs * 1e-12)).persist()
        wait(v)
        t = time.perf_counter()
        _, lam = power_method(M, v)
        print(json.dumps({"seconds": time.perf_counter() - t, "lambda": float(lam)}), flush=True)
    client.close()
    cluster.close()


if __name__ == "__main__":
    main()
