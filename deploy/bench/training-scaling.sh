#!/usr/bin/env bash
# Issue 17's scaling efficiency of training: images/s per replica with N replicas on N hosts over
# images/s of one replica on the same kind of host and link, for several tau (mini-batches between
# averages). The hosts are network namespaces of a deploy/local cluster (HDFS and Spark as
# processes), each with its own CPU share (a cgroup: CPUS_PER_HOST cores, so that one replica alone
# is not faster for having the whole machine) and a rate-limited link; the job is the demo network
# on Fashion-MNIST from HDFS, paramserver.placement = executors (a shard on every host).
#
# The link rate is scaled so that communication : computation is that of a GPU cluster: an
# A100-class GPU trains AlexNet at GPU_IMG_S [1500] img/s at batch GPU_BATCH [128] on GPU_GBIT [25]
# Gbit/s links, and moves 249.5 MB of parameters per average. Here one replica's speed R1 (measured
# first, on one host) and the demo network's parameter bytes P set
#   RATE = GPU_GBIT * (P / 249.5 MB) * (R1 / GPU_IMG_S) * (GPU_BATCH / BATCH)
# so that a round's bytes over the link take the same share of a round's compute time as there.
# Efficiency = images/s per replica at N / images/s of the one replica (same tau), from the last
# epoch's training throughput in metrics.jsonl (the first epoch warms the JIT up).
#
#   deploy/bench/training-scaling.sh            (as root: namespaces and cgroups)
#
# Environment [defaults]: WORKERS ["1 2 3 4"], TAUS ["1 4 16"], CPUS_PER_HOST [0.5], EPOCHS [2],
# PER_CLASS [200 training photos per class], BATCH [32], RATE [computed as above], MTU [9000], QUEUE [2mb],
# GPU_IMG_S, GPU_BATCH, GPU_GBIT. Run it on an otherwise idle machine.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/deploy/local/lib.sh"

WORKERS="${WORKERS:-1 2 3 4}"
TAUS="${TAUS:-1 4 16}"
CPUS_PER_HOST="${CPUS_PER_HOST:-0.5}"
EPOCHS="${EPOCHS:-2}"
PER_CLASS="${PER_CLASS:-200}"
BATCH="${BATCH:-32}"
MTU="${MTU:-9000}"
# tbf's queue per link: 2 MB, a switch port's buffer; 50 ms at these low rates is ~200 KB, too
# little for 3-4 hosts' 64 KB datagrams (seen: rounds stalled for minutes at N = 3, tau = 1).
QUEUE="${QUEUE:-2mb}"
GPU_IMG_S="${GPU_IMG_S:-1500}"
GPU_BATCH="${GPU_BATCH:-128}"
GPU_GBIT="${GPU_GBIT:-25}"
[[ "$(id -u)" == 0 ]] || die "the hosts are network namespaces with CPU cgroups: run as root"
STAMP="$(date +%Y%m%d-%H%M%S)"
OUT="${OUT:-$ROOT/target/bench/training-scaling-$STAMP.jsonl}"
WORK="$ROOT/target/bench/training-scaling-$STAMP"
mkdir -p "$(dirname "$OUT")" "$WORK"
CLI="$ROOT/deploy/bin/alexnet-spark"
CLUSTER="$WORK/cluster"
trap '"$ROOT/deploy/local/down.sh" --dir "$CLUSTER" >/dev/null 2>&1 || true' EXIT

echo "# $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; workers=[$WORKERS] taus=[$TAUS] cpus/host=$CPUS_PER_HOST" \
  "epochs=$EPOCHS batch=$BATCH photos/class=$PER_CLASS; load: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT"

"$CLI" demo-data --out "$WORK/photos" --train-per-class "$PER_CLASS" --val-per-class 20 >&2
PARAMS="$("$CLI" describe --config "$ROOT/conf/demo.conf" --json | sed -n 's/.*"parameters" : \([0-9]*\).*/\1/p' | tail -n 1)"
[[ -n "$PARAMS" ]] || die "could not read the demo network's parameter count from describe --json"

# train N TAU RATE-LABEL: one run on the cluster that is up, its last epoch as a JSON line.
train() {
  local n="$1" tau="$2" rate="$3" out="file://$WORK/runs/n$1-tau$2-$(date +%s)"
  local log="$WORK/train-n$n-tau$tau.log"
  "$ROOT/deploy/local/submit.sh" --dir "$CLUSTER" -- train --config "$ROOT/conf/demo.conf" \
    --set "job.data=$HDFS_URL/datasets/photos" --set "job.output=$out" --set "job.replicas=$n" \
    --set "job.tau=$tau" --set "training.batch-size=$BATCH" --set "training.epochs=$EPOCHS" \
    --set job.evaluation=driver --set paramserver.placement=executors > "$log" 2>&1 \
    || { echo "{\"bench\": \"training-scaling\", \"kind\": \"error\", \"workers\": $n, \"tau\": $tau, \"log\": \"$log\"}" | tee -a "$OUT"; return; }
  tail -n 1 "${out#file://}/metrics.jsonl" | sed "s/^{/{\"bench\": \"training-scaling\", \"kind\": \"epoch\", \"workers\": $n, \"tau\": $tau, \"rate\": \"$rate\", \"cpus_per_host\": $CPUS_PER_HOST, \"params\": $PARAMS, /" | tee -a "$OUT"
}

# cluster N [RATE]: a fresh cluster of N hosts (down with the one before).
cluster() {
  "$ROOT/deploy/local/down.sh" --dir "$CLUSTER" >/dev/null 2>&1 || true
  "$ROOT/deploy/local/up.sh" --dir "$CLUSTER" --hosts "$1" --name alxs --subnet 198.18.11 --cpus-per-host "$CPUS_PER_HOST" \
    --mtu "$MTU" --worker-memory 3g ${2:+--rate "$2" --queue "$QUEUE"} > "$WORK/up-$1.log" 2>&1 || { tail -n 20 "$WORK/up-$1.log" >&2; die "up.sh failed"; }
  # Only its HDFS address: cluster.env's other names (WORKERS, RATE, ...) are this script's too.
  HDFS_URL="$(. "$CLUSTER/cluster.env" && echo "$HDFS_URL")"
  "$CLI" ingest --config "$ROOT/conf/demo.conf" --input "$WORK/photos" --output "$HDFS_URL/datasets/photos" \
    --dataset photos > "$WORK/ingest-$1.log" 2>&1
}

# 1. One replica on one host, no rate limit: its speed sets the link rate (unless RATE is given;
#    OUT=<an earlier run's file> then adds to that run, e.g. the N it did not reach).
if [[ -z "${RATE:-}" ]]; then
cluster 1
train 1 4 none
R1="$(tail -n 1 "$OUT" | sed -n 's/.*"imagesPerSecond" *: *\([0-9.eE+-]*\).*/\1/p')"
[[ -n "$R1" ]] || die "the calibration run gave no imagesPerSecond (see $WORK/train-n1-tau4.log)"
RATE="$(awk -v g="$GPU_GBIT" -v p="$PARAMS" -v r="$R1" -v gi="$GPU_IMG_S" -v gb="$GPU_BATCH" -v b="$BATCH" \
  'BEGIN { printf "%dkbit", g * 1e6 * (4 * p / 249513376) * (r / gi) * (gb / b) }')"
echo "{\"bench\": \"training-scaling\", \"kind\": \"calibration\", \"replica_img_s\": $R1, \"params\": $PARAMS, \"rate\": \"$RATE\"," \
  "\"gpu_img_s\": $GPU_IMG_S, \"gpu_batch\": $GPU_BATCH, \"gpu_gbit\": $GPU_GBIT, \"batch\": $BATCH}" | tee -a "$OUT"
fi

# 2. N hosts on links of RATE, every tau.
for n in $WORKERS; do
  cluster "$n" "$RATE"
  for tau in $TAUS; do train "$n" "$tau" "$RATE"; done
done
"$ROOT/deploy/local/down.sh" --dir "$CLUSTER" >/dev/null 2>&1 || true

# 3. Efficiency per (N, tau) against N = 1 at the same tau.
echo
awk '
  /"kind": "epoch"/ && $0 !~ /"rate": "none"/ {
    match($0, /"workers": [0-9]+/); n = substr($0, RSTART + 11, RLENGTH - 11) + 0
    match($0, /"tau": [0-9]+/); t = substr($0, RSTART + 7, RLENGTH - 7) + 0
    match($0, /"imagesPerSecond" *: *[0-9.eE+-]+/); s = substr($0, RSTART, RLENGTH); sub(/.*: */, "", s)
    per[n " " t] = s / n; ns[n] = 1; ts[t] = 1
  }
  END {
    for (k in per) { split(k, a, " "); if (("1 " a[2]) in per)
      printf "{\"bench\": \"training-scaling\", \"kind\": \"efficiency\", \"workers\": %d, \"tau\": %d, \"img_s_per_replica\": %.1f, \"one_replica_img_s\": %.1f, \"efficiency\": %.2f}\n", a[1], a[2], per[k], per["1 " a[2]], per[k] / per["1 " a[2]] }
  }' "$OUT" | sort -t: -k4,4n | tee -a "$OUT"
echo "# results: $OUT (runs and logs: $WORK)" >&2
