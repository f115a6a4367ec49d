#!/usr/bin/env bash
# The README's first command: runs as much of the main job as exists, on this machine, with no
# set-up beyond Java 17 and Maven. It builds the project when needed and fetches its own data.
#
# Today: the network as the paper describes it; the demo dataset (Fashion-MNIST, real photos,
# fetched from Debian's package) ingested into shards with a manifest; and the AlexNet-shaped
# network sized for it. Training with local Spark and the Aeron parameter server, and evaluation,
# join this script when they land.
#
# Work goes to $ALEXNET_DEMO_DIR (default: ./work/demo); downloads are cached in ~/.cache/alexnet-spark.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLI="$ROOT/deploy/bin/alexnet-spark"
WORK="${ALEXNET_DEMO_DIR:-$ROOT/work/demo}"
mkdir -p "$WORK"

step() { printf '\n== %s\n' "$*"; }

step "1/4 The network the job trains: the paper's two-tower AlexNet, layer by layer"
"$CLI" describe

step "2/4 The demo dataset: Fashion-MNIST (real 28x28 product photos, 10 classes)"
"$CLI" demo-data --out "$WORK/fashion-mnist" --train-per-class 600 --val-per-class 100

step "3/4 Ingest into shards + manifest (the same command ImageNet goes through)"
"$CLI" ingest --config "$ROOT/conf/demo.conf" --input "$WORK/fashion-mnist" \
  --output "file://$WORK/shards" --dataset fashion-mnist-demo

step "4/4 The AlexNet-shaped network for these 28x28 photos (conf/demo.conf)"
"$CLI" describe --config "$ROOT/conf/demo.conf"

printf '\nDone. Shards and manifest: %s/shards (manifest.json).\n' "$WORK"
printf 'Training on them with local Spark and the Aeron parameter server joins this demo next (see README.md).\n'
