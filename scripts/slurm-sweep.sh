#!/usr/bin/env bash
# Run a cogov sweep as a SLURM job array, one shard per array task, then merge.
#
#   sbatch --array=0-15 scripts/slurm-sweep.sh scenarios/experiments/sobol.toml 16
#   # when all tasks are done (or chain it: sbatch --dependency=afterok:<array job id> …):
#   sbatch scripts/slurm-sweep.sh --merge scenarios/experiments/sobol.toml 16
#
# Each task writes output/sweep/<name>-shard-<I>-of-<N>/; a task that is preempted or killed can be
# resubmitted with the same array index and continues where it stopped (--resume). The merge job
# checks that every shard comes from the same experiment and code, and writes
# output/sweep/<name>/, byte-identical to an unsplit sweep.
#
# The requests fit a node of 2 CPUs and 2 GB; ask for more on the command line, which overrides them
# (sbatch --cpus-per-task=16 --mem=8G …): every task uses --threads = its CPUs.
#SBATCH --job-name=cogov-sweep
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
#SBATCH --time=04:00:00
#SBATCH --output=slurm-%A_%a.out
set -euo pipefail

cogov=${COGOV:-./target/release/cogov}
if [ "${1:-}" = "--merge" ]; then
  experiment=$2; shards=$3
  name=$(basename "$experiment" .toml)
  dirs=()
  for ((i = 0; i < shards; i++)); do dirs+=("output/sweep/${name}-shard-${i}-of-${shards}"); done
  exec "$cogov" merge "${dirs[@]}" --out "output/sweep/${name}" --force
fi

experiment=$1; shards=$2
index=${SLURM_ARRAY_TASK_ID:?run as a job array: sbatch --array=0-$((shards - 1)) $0 $*}
name=$(basename "$experiment" .toml)
out="output/sweep/${name}-shard-${index}-of-${shards}"
threads=${SLURM_CPUS_PER_TASK:-1}
# --resume continues what a killed task left, leaves a finished shard as it is, and otherwise starts.
# Its progress goes to the job's log: a line every few seconds (COGOV_PROGRESS_SECONDS).
exec "$cogov" sweep "$experiment" --shard "${index}/${shards}" --out "$out" --threads "$threads" --resume
