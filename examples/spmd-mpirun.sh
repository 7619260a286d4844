#!/bin/bash
# mpirun starts the ranks; darray needs no MPI binding: it reads OMPI_COMM_WORLD_RANK/SIZE (Open
# MPI) or PMI_RANK/PMI_SIZE (MPICH) and builds its own authenticated mesh.
#   bash examples/spmd-mpirun.sh [ranks] [matrix size]
# Several hosts: pass --hostfile and set DARRAY_MASTER to the host of rank 0, e.g.
#   DARRAY_MASTER=node01 mpirun -x DARRAY_MASTER -x DARRAY_COOKIE_FILE --hostfile hosts -n 8 ...
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-3}"
extra=()
# Open MPI refuses to run as root without these; --oversubscribe allows more ranks than cores.
if [ "$(id -u)" = 0 ]; then extra+=(--allow-run-as-root); fi
mpirun "${extra[@]}" --oversubscribe -n "$n" node dist/examples/spmd-power.js "${2:-256}"
