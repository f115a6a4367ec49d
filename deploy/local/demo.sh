#!/usr/bin/env bash
# The demo job on the cluster that deploy/local/up.sh started: Fashion-MNIST (fetched as
# deploy/demo.sh does) ingested into the cluster's HDFS, then trained with spark-submit: one
# replica per Worker core, averaging through the Aeron parameter server over UDP. On namespace
# hosts (up.sh --hosts N) the server is sharded across the executors (paramserver.placement =
# executors, one shard beside every replica); on 127.0.0.1 it runs in the driver.
#
#   deploy/local/demo.sh [--dir DIR] [--epochs E] [--placement driver|executors] [-- more train args]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR_ARG="" EPOCHS=2 PLACEMENT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) DIR_ARG="$2"; shift 2 ;;
    --epochs) EPOCHS="$2"; shift 2 ;;
    --placement) PLACEMENT="$2"; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
DIR="$(cluster_dir "$DIR_ARG")"
[[ -f "$DIR/cluster.env" ]] || die "no cluster is up in $DIR: start one with deploy/local/up.sh"
# shellcheck source=/dev/null
source "$DIR/cluster.env"
CLI="$ROOT/deploy/bin/alexnet-spark"
CACHE="$HOME/.cache/alexnet-spark/demo-tree"
PLACEMENT="${PLACEMENT:-$( ((HOSTS > 0)) && echo executors || echo driver)}"
REPLICAS=$((WORKERS * WORKER_CORES))
RUN="$(date +%Y%m%d-%H%M%S)"

printf '\n== 1/3 The demo dataset (Fashion-MNIST photos) in %s\n' "$CACHE"
[[ -d "$CACHE" ]] || "$CLI" demo-data --out "$CACHE" --train-per-class 600 --val-per-class 100
printf '\n== 2/3 Ingest into the cluster'"'"'s HDFS: %s/datasets/fashion-mnist\n' "$HDFS_URL"
"$CLI" ingest --config "$ROOT/conf/demo.conf" --input "$CACHE" --output "$HDFS_URL/datasets/fashion-mnist" \
  --dataset fashion-mnist-demo
printf '\n== 3/3 Train on %s: %s replicas, parameter server placement %s\n' "$MASTER_URL" "$REPLICAS" "$PLACEMENT"
"$ROOT/deploy/local/submit.sh" --dir "$DIR" -- train --config "$ROOT/conf/demo.conf" \
  --set "job.data=$HDFS_URL/datasets/fashion-mnist" --set "job.output=$HDFS_URL/runs/demo-$RUN" \
  --set "job.replicas=$REPLICAS" --set "training.epochs=$EPOCHS" --set "paramserver.placement=$PLACEMENT" "$@"
printf '\nDone: the model, metrics.jsonl and report/ are in %s/runs/demo-%s\n' "$HDFS_URL" "$RUN"
