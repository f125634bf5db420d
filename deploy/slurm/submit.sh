#!/bin/bash
# Submits the predict array (SHARDS tasks, default 4) and the merge job that waits for all of them:
#   DATA=/shared/anomalyclip ./submit.sh 8
set -euo pipefail
SHARDS=${1:-4}
cd "$(dirname "$0")"
array=$(sbatch --parsable --array="0-$((SHARDS - 1))" predict-array.sbatch)
sbatch --parsable --dependency="afterok:${array%%;*}" --export="ALL,SHARDS=$SHARDS" merge.sbatch
