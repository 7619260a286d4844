"""NumPy peer of bench/powermethod-cpu.ts: the Julia manual's power_method, 100 iterations.

Usage: python3 powermethod.py N DTYPE ITERS. Prints one JSON line: seconds (best of 3), lambda and
the BLAS thread count NumPy runs with (its default; nothing is pinned).
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
    for lib in glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "scipy_openblas*", "lib", "*.so*")) + \
            glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "*openblas*.so*")):
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
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        _, lam = power_method(M, v0.copy())
        best = min(best, time.perf_counter() - t)
    print(json.dumps({"seconds": best, "lambda": float(lam), "threads": blas_threads(), "numpy": np.__version__}))


main()
