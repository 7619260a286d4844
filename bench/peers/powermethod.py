"""NumPy peer of bench/powermethod-cpu.ts: the Julia manual's power_method.

Usage: python3 powermethod.py N DTYPE ITERS. Builds the matrix once, prints a JSON line with the
BLAS thread count NumPy runs with (its default; nothing is pinned), then for each line "run" on
stdin runs power_method once and prints {"seconds", "lambda"}, so the benchmark can alternate it
with darray in rounds while both have their data in memory.
"""
import json, sys, time
import numpy as np


def blas_threads():
    try:
        from threadpoolctl import threadpool_info
        return max(i.get("num_threads", 0) for i in threadpool_info()) or None
    except Exception:
        pass
    import ctypes, glob, os
    here = os.path.dirname(np.__file__)
    for lib in glob.glob(os.path.join(here, "..", "scipy_openblas*", "lib", "*.so*")) + \
            glob.glob(os.path.join(here, "..", "numpy.libs", "*openblas*.so*")):
        try:
            h = ctypes.CDLL(lib)
        except OSError:
            continue
        for fn in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_", "openblas_get_num_threads"):
            if hasattr(h, fn):
                return int(getattr(h, fn)())
    return None


def main():
    n, dtype, iters = int(sys.argv[1]), np.dtype(sys.argv[2]), int(sys.argv[3])
    rng = np.random.default_rng(1)
    M = rng.random((n, n)).astype(dtype)
    v0 = rng.random(n).astype(dtype)

    def power_method(M, v):
        for _ in range(iters):
            v = M @ v
            v /= np.linalg.norm(v)
        return v, np.linalg.norm(M @ v) / np.linalg.norm(v)

    power_method(M, v0.copy())
    print(json.dumps({"threads": blas_threads(), "numpy": np.__version__}), flush=True)
    for line in sys.stdin:
        if line.strip() != "run":
            break
        t = time.perf_counter()
        _, lam = power_method(M, v0.copy())
        print(json.dumps({"seconds": time.perf_counter() - t, "lambda": float(lam)}), flush=True)


main()
