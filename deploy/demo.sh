#!/usr/bin/env bash
# The README's first command: runs as much of the main job as exists, on this machine, with no
# set-up beyond Java 17 and Maven. It builds the project when needed and fetches its own data.
#
# It shows the network as the paper describes it, fetches the demo dataset (Fashion-MNIST, real
# photos, from Debian's package), ingests it into shards with a manifest, and trains the
# AlexNet-shaped network sized for it: local Spark, two replicas in barrier stages, parameters
# averaged through the real Aeron parameter server, evaluated after every epoch, checkpointed,
# with metrics and an HTML report. A few minutes on 2 cores.
#
# Work goes to $ALEXNET_DEMO_DIR (default: ./work/demo); downloads are cached in ~/.cache/alexnet-spark.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLI="$ROOT/deploy/bin/alexnet-spark"
WORK="${ALEXNET_DEMO_DIR:-$ROOT/work/demo}"
mkdir -p "$WORK"

step() { printf '\n== %s\n' "$*"; }

step "1/6 The network the job trains: the paper's two-tower AlexNet, layer by layer"
"$CLI" describe

step "2/6 The demo dataset: Fashion-MNIST (real 28x28 product photos, 10 classes)"
"$CLI" demo-data --out "$WORK/fashion-mnist" --train-per-class 600 --val-per-class 100

step "3/6 Ingest into shards + manifest (the same command ImageNet goes through)"
"$CLI" ingest --config "$ROOT/conf/demo.conf" --input "$WORK/fashion-mnist" \
  --output "file://$WORK/shards" --dataset fashion-mnist-demo

step "4/6 The AlexNet-shaped network for these 28x28 photos (conf/demo.conf)"
"$CLI" describe --config "$ROOT/conf/demo.conf"

step "5/6 Train: local Spark, 2 replicas, averaging through the Aeron parameter server (aeron-averaging)"
rm -rf "$WORK/run"
"$CLI" train --config "$ROOT/conf/demo.conf" --set "job.data=file://$WORK/shards" --set "job.output=file://$WORK/run"

step "6/6 Evaluate the trained model: per-class accuracy and the most confused classes"
"$CLI" evaluate --config "$ROOT/conf/demo.conf" --model "file://$WORK/run/model/model.zip" --data "file://$WORK/shards"

printf '\nDone. Open %s/run/report/report.html for the plots; metrics.jsonl, model/ and checkpoints/ are beside it.\n' "$WORK"
printf 'Resume or extend: %s train --config conf/demo.conf --set job.data=file://%s/shards --set job.output=file://%s/run --set training.epochs=5 --resume\n' "$CLI" "$WORK" "$WORK"
