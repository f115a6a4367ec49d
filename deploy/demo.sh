#!/usr/bin/env bash
# The README's first command: runs as much of the main job as exists, on this machine, with no
# set-up beyond Java 17 and Maven. It builds the project when needed.
#
# Today (foundation): the network the job trains, as the paper describes it and as built here,
# and the validated job configuration. Ingestion of a small real dataset, training with local
# Spark and the Aeron parameter server, and evaluation join this script as they land.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLI="$ROOT/deploy/bin/alexnet-spark"

step() { printf '\n== %s\n' "$*"; }

step "1/3 The network: the paper's two-tower AlexNet (alexnet-2012), layer by layer"
"$CLI" describe

step "2/3 What the paper's 224x224 input would give (why this project uses 227)"
"$CLI" describe --variant alexnet-single --input 224 | sed -n '1,6p;/differ/,$p'

step "3/3 The job configuration (conf/alexnet.conf, validated)"
"$CLI" config | sed -n '1,12p'
echo "  ... (all keys: deploy/bin/alexnet-spark config)"

printf '\nDone. Next: ingestion, training and evaluation join this demo as they land (see README.md).\n'
