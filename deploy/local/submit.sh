#!/usr/bin/env bash
# spark-submit to the cluster that deploy/local/up.sh started: deploy/bin/submit with the cluster's
# master, its Spark secret (from a 0600 file, never the command line) and the driver on the
# cluster's central address (the bridge with --hosts, else 127.0.0.1), one core per executor.
#
#   deploy/local/submit.sh [--dir DIR] [spark-submit options...] -- <command> [args...]
#   deploy/local/submit.sh -- train --config conf/demo.conf --set job.data=hdfs://127.0.0.1:17020/datasets/fmnist \
#       --set job.output=hdfs://127.0.0.1:17020/runs/r1
#
# Your spark-submit options come after these and win (e.g. --conf spark.executor.memory=4g).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR_ARG=""
if [[ "${1:-}" == "--dir" ]]; then DIR_ARG="$2"; shift 2; fi
[[ "${1:-}" == -h || "${1:-}" == --help ]] && { sed -n '2,10p' "$0"; exit 0; }
DIR="$(cluster_dir "$DIR_ARG")"
[[ -f "$DIR/cluster.env" ]] || die "no cluster is up in $DIR: start one with deploy/local/up.sh"
# shellcheck source=/dev/null
source "$DIR/cluster.env"

export ALEXNET_SPARK_PROPERTIES="$APPLICATION_PROPERTIES"
# The driver's own addresses (its UI, its block manager) on the central address, not 0.0.0.0.
export SPARK_LOCAL_IP="$CENTRAL"
unset SPARK_HOME
exec "$ROOT/deploy/bin/submit" --master "$MASTER_URL" --deploy-mode client \
  --conf spark.executor.cores=1 --conf spark.executor.memory=1500m --conf spark.executor.memoryOverhead=1g \
  --conf spark.ui.showConsoleProgress=false "$@"
