"""NumPy peer of bench/reduce-dims.ts: A.sum(axis=k) on the whole array.

Usage: python3 reduce_dims.py N. Builds an N×N float64 matrix once, prints a JSON line describing
itself, then for each line "run AXIS" on stdin sums along that axis once and prints
{"seconds", "checksum"}, so the benchmark can alternate it with darray while both hold their data.
"""
import json, sys, time
import numpy as np


def main():
    n = int(sys.argv[1])
    A = np.random.default_rng(1).random((n, n))
    A.sum(axis=0)
    print(json.dumps({"numpy": np.__version__}), flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] != "run":
            break
        axis = int(parts[1])
        t = time.perf_counter()
        s = A.sum(axis=axis)
        print(json.dumps({"seconds": time.perf_counter() - t, "checksum": float(s.sum())}), flush=True)


main()
