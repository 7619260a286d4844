#!/usr/bin/env bash
# The GPU benchmarks of one lent device run, in one script (the device's time is short and each start
# costs minutes). Here: `bash ../shared/device/prepare.sh` after `npm run build`; then the device tool
# with carry [".carry"] and the command `source .carry/prelude.sh; bash bench/device.sh`.
# Prints the tables and leaves the text and JSON under $OUT (default bench/results/device).
# SIZES (default 8192,16384,32768), HBM_GBS (default 4800, an H200's HBM), SHAPES=0 skips the sweep.
set -uo pipefail
out=${OUT:-bench/results/device}
sizes=${SIZES:-8192,16384,32768}
hbm=${HBM_GBS:-4800}
mkdir -p "$out" bench/results
export PYTHONUNBUFFERED=1
quiet() { grep -v 'artificially reduced'; }
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>/dev/null | tee "$out/nvidia.txt"
t0=$(date +%s)
if [ "${SHAPES:-1}" != 0 ]; then
  BENCH_SIZES=$sizes BENCH_REPS=200 BENCH_HBM_GBS=$hbm timeout 150 node dist/bench/gpu-matvec-shapes.js 2>&1 | quiet > "$out/shapes.txt"
  cp bench/results/gpu-matvec-shapes.json "$out/" 2>/dev/null
fi
# matvec GB/s against HBM and CuPy, powerMethod per iteration, a DArray of 2 workers on the GPU.
BENCH_SIZES=$sizes BENCH_HBM_GBS=$hbm timeout 240 node dist/bench/gpu.js 2>&1 | quiet > "$out/gpu.txt"
cp bench/results/gpu.json "$out/" 2>/dev/null
# The manual's loop on a GPUArray against powerMethod, with the lookahead and without.
BENCH_DARRAY=0 BENCH_GPU_N=$sizes BENCH_GPU_ITERS=100 timeout 240 node dist/bench/textbook.js 2>&1 | quiet > "$out/textbook.txt"
cp bench/results/textbook.json "$out/" 2>/dev/null
echo "device benchmarks took $(( $(date +%s) - t0 )) s"
for f in shapes gpu textbook; do [ -f "$out/$f.txt" ] && sed -n '/^[a-z-]*$/,$p' "$out/$f.txt" | grep -v '^  note'; done
true
