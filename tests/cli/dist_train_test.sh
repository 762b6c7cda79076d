#!/usr/bin/env bash
# A distributed run whose workers fail: a worker killed with SIGKILL makes the other exit
# non-zero with a clear error at once; a worker that stops answering (SIGSTOP) makes it exit
# when dist_params.timeout runs out; `tubelet dist-train` stops the other workers when one
# fails and returns the failed worker's status; a launcher without its environment is a
# clear error. (Equivalence with one process: tests/distributed/dist_train_test.cpp.)
# Usage: dist_train_test.sh SOURCE_DIR TUBELET
set -uo pipefail
src=$1 tubelet=$2
command -v ffmpeg >/dev/null || { echo "SKIP: ffmpeg is not installed"; exit 0; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
config=$src/tests/fixtures/distributed/tsn_tiny_dist.py

"$tubelet" make-synthetic "$work/data" --videos 20 --size 32 --frames 8 >/dev/null 2>&1 || fail make-synthetic
opts=(data.train.ann_file="$work/data/train_list.txt" data.train.data_prefix="$work/data/videos"
  total_epochs=500 checkpoint_config.interval=1000 dist_params.timeout=4)
port() { echo $((20000 + RANDOM % 20000)); }

# Starts ranks 0 and 1 by hand, as torchrun would; waits until rank 0 logged iteration 2.
start_pair() {
  local name=$1
  export MASTER_ADDR=127.0.0.1 MASTER_PORT=$(port) WORLD_SIZE=2 OMP_NUM_THREADS=1
  RANK=0 "$tubelet" train "$config" --launcher pytorch --work-dir "$work/$name" --seed 1 \
    --cfg-options "${opts[@]}" >"$work/$name.0" 2>&1 &
  rank0=$!
  RANK=1 "$tubelet" train "$config" --launcher pytorch --work-dir "$work/$name" --seed 1 \
    --cfg-options "${opts[@]}" >"$work/$name.1" 2>&1 &
  rank1=$!
  pids+=("$rank0" "$rank1")
  for _ in $(seq 300); do
    grep -q "Epoch \[1\]\[2/" "$work/$name.0" 2>/dev/null && return 0
    kill -0 "$rank0" 2>/dev/null || { cat "$work/$name.0"; fail "$name: rank 0 ended early"; }
    sleep 0.1
  done
  cat "$work/$name.0"
  fail "$name: rank 0 did not start training"
}

# Rank 0's exit status within `limit` seconds, or a failure.
wait_rank0() {
  local name=$1 limit=$2
  for _ in $(seq $((limit * 10))); do
    kill -0 "$rank0" 2>/dev/null || { wait "$rank0"; return $?; }
    sleep 0.1
  done
  fail "$name: rank 0 still runs ${limit}s after its peer stopped"
}

start_pair killed
kill -9 "$rank1"
wait_rank0 killed 10 && fail "killed: rank 0 exited 0 after rank 1 was killed"
grep -q "error: distributed: .* failed on rank 0 of 2" "$work/killed.0" || { cat "$work/killed.0"; fail "killed: no clear error"; }

start_pair stopped
kill -STOP "$rank1"
wait_rank0 stopped 20 && fail "stopped: rank 0 exited 0"
grep -q "error: distributed: .*Timed out" "$work/stopped.0" || { cat "$work/stopped.0"; fail "stopped: no timeout error"; }
kill -9 "$rank1"

# dist-train: a worker killed from outside ends the run with its status (128 + 9).
"$tubelet" dist-train "$config" --nproc 2 --work-dir "$work/launched" --seed 1 \
  --cfg-options "${opts[@]}" >"$work/launched.out" 2>&1 &
launcher=$!
pids+=("$launcher")
for _ in $(seq 300); do grep -q "Epoch \[1\]\[2/" "$work/launched.out" && break; sleep 0.1; done
worker=$(pgrep -P "$launcher" | tail -1)
[ -n "$worker" ] || fail "dist-train: no worker processes"
kill -9 "$worker"
wait "$launcher"
status=$?
[ "$status" -eq 137 ] || { cat "$work/launched.out"; fail "dist-train returned $status, not 137"; }
grep -q "dist-train: worker 1 (pid $worker) was killed by signal 9; stopping the other workers" \
  "$work/launched.out" || { cat "$work/launched.out"; fail "dist-train: no message"; }
[ -z "$(pgrep -P "$launcher")" ] || fail "dist-train left workers behind"

# A bad config fails on every rank: dist-train returns 1 and says which worker.
"$tubelet" dist-train "$config" --nproc 2 --work-dir "$work/bad" \
  --cfg-options optimizer.type=NoSuchOptimizer "${opts[@]}" >"$work/bad.out" 2>&1
[ $? -eq 1 ] || { cat "$work/bad.out"; fail "dist-train with a bad config did not return 1"; }
grep -q "NoSuchOptimizer" "$work/bad.out" || fail "the worker's error is not shown"

# Launchers read their environment.
if env -u RANK -u SLURM_PROCID "$tubelet" train "$config" --launcher pytorch \
  --work-dir "$work/env" >"$work/env.out" 2>&1; then fail "--launcher pytorch without RANK ran"; fi
grep -q "needs the environment variable RANK" "$work/env.out" || { cat "$work/env.out"; fail "no RANK error"; }
if env -u SLURM_PROCID "$tubelet" train "$config" --launcher slurm \
  --work-dir "$work/env" >"$work/env.out" 2>&1; then fail "--launcher slurm without SLURM_PROCID ran"; fi
grep -q "SLURM_PROCID" "$work/env.out" || { cat "$work/env.out"; fail "no SLURM_PROCID error"; }
# One Slurm task is a world of one: it trains.
SLURM_PROCID=0 SLURM_NTASKS=1 SLURM_NODELIST=localhost MASTER_PORT=$(port) \
  env -u MASTER_ADDR "$tubelet" train "$config" --launcher slurm --work-dir "$work/slurm" --seed 1 \
  --cfg-options "${opts[@]}" total_epochs=1 >"$work/slurm.out" 2>&1 || { cat "$work/slurm.out"; fail "slurm world of one"; }
grep -q "Distributed training: True" "$work/slurm.out" || fail "slurm run not distributed"
# --launcher mpi reads what Open MPI's mpirun sets (simulated here: two ranks by hand).
if env -u OMPI_COMM_WORLD_RANK "$tubelet" train "$config" --launcher mpi \
  --work-dir "$work/env" >"$work/env.out" 2>&1; then fail "--launcher mpi without OMPI_COMM_WORLD_RANK ran"; fi
grep -q "OMPI_COMM_WORLD_RANK" "$work/env.out" || { cat "$work/env.out"; fail "no OMPI_COMM_WORLD_RANK error"; }
mpi_port=$(port)
for r in 0 1; do
  OMPI_COMM_WORLD_RANK=$r OMPI_COMM_WORLD_SIZE=2 OMPI_COMM_WORLD_LOCAL_RANK=$r MASTER_ADDR=127.0.0.1 \
    MASTER_PORT=$mpi_port OMP_NUM_THREADS=1 "$tubelet" train "$config" --launcher mpi \
    --work-dir "$work/mpi" --seed 1 --cfg-options "${opts[@]}" total_epochs=1 >"$work/mpi.$r" 2>&1 &
  pids+=($!)
done
wait "${pids[-2]}" || { cat "$work/mpi.0"; fail "mpi rank 0"; }
wait "${pids[-1]}" || { cat "$work/mpi.1"; fail "mpi rank 1"; }
grep -q "Distributed training: True" "$work/mpi.0" || fail "mpi run not distributed"
grep -q "gradient all-reduce:" "$work/mpi.0" || fail "mpi run reduced no gradients"
[ -f "$work/mpi/epoch_1.pth" ] || fail "mpi run wrote no checkpoint"
echo "dist-train failures, timeouts, launchers: ok"
