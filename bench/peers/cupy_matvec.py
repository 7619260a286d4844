"""The CuPy peer of bench/gpu.ts: float32 `M @ v` (cuBLAS sgemv) and the manual's power iteration
(y = M v; s = ‖y‖; v = y / s) on the same GPU, timed with CUDA events, plus a device-to-device copy
as the measured bandwidth ceiling. Prints one JSON object on its last line.

Usage: python3 cupy_matvec.py SIZES REPS ITERS   (SIZES comma-separated, e.g. 8192,16384,32768)
"""

import json
import statistics
import sys

import cupy as cp


def per_call(fn, reps: int, trials: int = 5) -> float:
    """Median over `trials` of the seconds per call of `fn`, `reps` calls between two events."""
    for _ in range(3):
        fn()
    cp.cuda.Device().synchronize()
    times = []
    for _ in range(trials):
        start, end = cp.cuda.Event(), cp.cuda.Event()
        start.record()
        for _ in range(reps):
            fn()
        end.record()
        end.synchronize()
        times.append(cp.cuda.get_elapsed_time(start, end) / 1e3 / reps)
    return statistics.median(times)


def main() -> None:
    sizes = [int(s) for s in sys.argv[1].split(",")]
    reps = int(sys.argv[2])
    iters = int(sys.argv[3])
    props = cp.cuda.runtime.getDeviceProperties(0)
    out = {"device": props["name"].decode(), "cupy": cp.__version__, "sizes": {}}

    # The copy ceiling: 2 GiB read and 2 GiB written per copy.
    src = cp.ones(2**29, dtype=cp.float32)
    dst = cp.empty_like(src)
    copy_s = per_call(lambda: cp.copyto(dst, src), 10)
    out["copy_gbs"] = 2 * src.nbytes / copy_s / 1e9
    del src, dst

    for n in sizes:
        M = cp.random.rand(n, n, dtype=cp.float32)
        v0 = cp.random.rand(n, dtype=cp.float32)
        mv = per_call(lambda: M @ v0, reps)
        state = {"v": v0.copy(), "s": None}

        def step() -> None:
            y = M @ state["v"]
            s = cp.linalg.norm(y)
            state["v"] = y / s
            state["s"] = s

        pm = per_call(step, iters)
        out["sizes"][str(n)] = {
            "matvec_s": mv,
            "matvec_gbs": n * n * 4 / mv / 1e9,
            "power_iter_s": pm,
            "lambda": float(state["s"]),
        }
        del M, v0, state
        cp.get_default_memory_pool().free_all_blocks()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
