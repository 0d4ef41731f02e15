#!/usr/bin/env bash
# A sweep on a real SLURM cluster of one node: install Debian's slurm-wlm and munge, start munged,
# slurmctld and slurmd (as root, without systemd), submit the shipped scripts/slurm-sweep.sh as a job
# array, kill one array task mid-run, resubmit it, run the merge job, and check the merged sweep byte
# for byte against the unsplit one. Every daemon it started is stopped when it ends.
#
#   tests/slurm.sh [COGOV_BINARY]      (default target/release/cogov; run as root)
#
# Where the packages cannot be installed (not root, no apt, no package registry), it says so loudly
# and exits 0: the test is skipped, not passed.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
cogov=$(realpath "${1:-target/release/cogov}")

skip() {
  echo "WARNING: ************************************************************"
  echo "WARNING: SLURM test SKIPPED: $1"
  echo "WARNING: ************************************************************"
  exit 0
}

[ "$(id -u)" = 0 ] || skip "it needs root (to install and run slurmctld, slurmd and munged)"
if ! command -v sbatch >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  command -v apt-get >/dev/null || skip "no apt-get to install slurm-wlm and munge"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slurm-wlm munge \
    >/tmp/cogov-slurm-apt.log 2>&1 ||
    { apt-get update >/dev/null 2>&1 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slurm-wlm munge \
        >/tmp/cogov-slurm-apt.log 2>&1; } ||
    skip "apt-get could not install slurm-wlm and munge (see /tmp/cogov-slurm-apt.log)"
fi
[ -x "$cogov" ] || { echo "error: no cogov binary at $cogov (cargo build --release)"; exit 1; }

scratch=$(mktemp -d /tmp/cogov-slurm.XXXXXX)
host=$(hostname -s)
cpus=$(nproc)
# The node's real memory, in MB, less a little for the system.
memory=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.95 }' /proc/meminfo)
conf=/etc/slurm/slurm.conf
saved_conf=""

stop() {
  local status=$?
  for pidfile in "$scratch/slurmd.pid" "$scratch/slurmctld.pid" "$scratch/munged.pid"; do
    if [ -f "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; fi
  done
  sleep 1
  if [ -n "$saved_conf" ]; then mv "$saved_conf" "$conf"; else rm -f "$conf"; fi
  if [ "$status" != 0 ]; then
    echo "--- slurmctld log"; tail -20 "$scratch/slurmctld.log" 2>/dev/null || true
    echo "--- slurmd log"; tail -20 "$scratch/slurmd.log" 2>/dev/null || true
    echo "--- job logs"; tail -5 "$scratch"/work/slurm-*.out 2>/dev/null || true
  fi
  rm -rf "$scratch"
  exit "$status"
}
trap stop EXIT

mkdir -p /etc/slurm "$scratch/state" "$scratch/spool" "$scratch/work"
if [ -f "$conf" ]; then saved_conf="$scratch/slurm.conf.saved"; cp "$conf" "$saved_conf"; fi
cat >"$conf" <<EOF
ClusterName=cogov-ci
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MpiDefault=none
StateSaveLocation=$scratch/state
SlurmdSpoolDir=$scratch/spool
SlurmctldPidFile=$scratch/slurmctld.pid
SlurmdPidFile=$scratch/slurmd.pid
SlurmctldLogFile=$scratch/slurmctld.log
SlurmdLogFile=$scratch/slurmd.log
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

# munge: a key if there is none, then the daemon.
# munged runs as root here: its key, log and seed are root's, in the scratch directory.
mkdir -p /run/munge
dd if=/dev/urandom of="$scratch/munge.key" bs=1024 count=1 status=none
chmod 400 "$scratch/munge.key"
munged --force --key-file="$scratch/munge.key" --pid-file="$scratch/munged.pid" \
  --log-file="$scratch/munged.log" --seed-file="$scratch/munged.seed"
slurmctld
slurmd
for _ in $(seq 60); do
  if sinfo -h -o %T 2>/dev/null | grep -q idle; then break; fi
  sleep 1
done
sinfo -h -o %T | grep -q idle || { echo "error: the node did not come up"; sinfo; exit 1; }
echo "slurm up: node $host, $cpus CPUs, $memory MB"

# A sweep small enough for CI, long enough per shard to be killed mid-run.
cd "$scratch/work"
cat >base.toml <<EOF
extends = "$repo/scenarios/fragmented.toml"
[world]
regions = 2
[enterprises]
per_region = 400
[public]
per_region = 0
EOF
experiment() { # experiment POINTS: the test's experiment, with POINTS design points
  cat >ci-sweep.toml <<EOF
base = "base.toml"
steps = 36
replicates = 2
metrics = ["pollution_mean", "compliance_rate"]
[design]
kind = "lhs"
points = $1
[[parameters]]
key = "law.fine"
min = 0.05
max = 1.0
[[parameters]]
key = "monitoring.coverage"
min = 0.1
max = 0.9
EOF
}
shards=3
export COGOV="$cogov" COGOV_PROGRESS_SECONDS=1
started=$SECONDS
# Size the sweep to this binary and machine: the unsplit run should take about 20 s, so that each
# task runs for several seconds and can be killed mid-run (a release build is ~10x a debug one).
points=60
while :; do
  experiment $points
  t0=$(date +%s%N)
  "$cogov" sweep ci-sweep.toml --out unsplit --quiet --force >/dev/null
  ms=$((($(date +%s%N) - t0) / 1000000))
  if [ "$ms" -ge 12000 ] || [ "$points" -ge 100000 ]; then break; fi
  points=$((points * 20000 / (ms + 1) + 1))
  [ "$points" -le 100000 ] || points=100000
done
echo "unsplit sweep: $points points in $ms ms"

wait_job() { # wait until job $1 has left the queue
  for _ in $(seq 600); do
    [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0
    sleep 1
  done
  echo "error: job $1 did not finish in 10 minutes"; squeue; return 1
}
script="$repo/scripts/slurm-sweep.sh"
array=$(sbatch --parsable --array=0-$((shards - 1)) "$script" ci-sweep.toml $shards)
echo "submitted array job $array"

# Kill task 1 once its checkpoint holds some rows, but before it finishes.
killed=""
for _ in $(seq 600); do
  partial=$(ls output/sweep/.ci-sweep-shard-1-of-3.cogov-*/results.csv.partial 2>/dev/null | head -1 || true)
  if [ -n "$partial" ] && [ "$(wc -l <"$partial")" -gt 10 ]; then
    scancel "${array}_1"
    killed=$(wc -l <"$partial")
    break
  fi
  sleep 0.2
done
[ -n "$killed" ] || { echo "error: task 1 never got under way"; exit 1; }
wait_job "$array"
echo "task 1 killed with $((killed - 1)) rows in its checkpoint"
[ ! -e output/sweep/ci-sweep-shard-1-of-3/manifest.json ] ||
  { echo "error: task 1 finished before it was killed"; exit 1; }
ls -d output/sweep/.ci-sweep-shard-1-of-3.cogov-* >/dev/null ||
  { echo "error: the killed task left no checkpoint"; exit 1; }

# Resubmit the killed task (the script resumes), then merge.
again=$(sbatch --parsable --array=1 "$script" ci-sweep.toml $shards)
merge=$(sbatch --parsable --dependency=afterok:"$again" "$script" --merge ci-sweep.toml $shards)
wait_job "$again"
wait_job "$merge"
state=$(sacct -n -X -j "$merge" -o State 2>/dev/null | head -1 | tr -d ' ' || true)
[ -f output/sweep/ci-sweep/manifest.json ] ||
  { echo "error: the merge job wrote nothing (state ${state:-unknown})"; cat "slurm-${merge}_"*.out slurm-"$merge"*.out 2>/dev/null; exit 1; }

for f in design.csv results.csv summary.csv differences.csv; do
  cmp "unsplit/$f" "output/sweep/ci-sweep/$f" || { echo "error: merged $f differs from the unsplit sweep"; exit 1; }
done
echo "merged sweep is byte-identical to the unsplit one (design, results, summary, differences)"

# Batch logs show progress lines.
lines=$(grep -c "runs (" "slurm-${array}_0.out" || true)
[ "${lines:-0}" -ge 1 ] || { echo "error: no progress lines in slurm-${array}_0.out"; cat "slurm-${array}_0.out"; exit 1; }
echo "the log of task 0 holds $lines progress lines, e.g.: $(grep "runs (" "slurm-${array}_0.out" | tail -1)"
echo "SLURM test passed in $((SECONDS - started)) s"
