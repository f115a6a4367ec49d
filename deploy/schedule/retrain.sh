#!/usr/bin/env bash
# One scheduled retraining: spark-submit `retrain` with a dated run folder, keep its log, and turn
# its exit code into what a scheduler should do. Called by the cron and systemd examples.
#
#   deploy/schedule/retrain.sh /etc/alexnet-spark/retrain.conf
#
# The config file names the new data (job.data), the registry (retrain.registry), the fixed
# validation set (retrain.validation) and, as a prefix, the runs folder (RUNS_ROOT below); the
# Spark options come from SPARK_SUBMIT_OPTS_ALEXNET (e.g. "--master yarn --executor-memory 16g");
# a standalone master's shared secret from the file ALEXNET_SPARK_PROPERTIES names (deploy/bin/submit).
#
# Exit codes (from `alexnet-spark retrain`): 0 promoted, 4 kept production (a normal outcome:
# reported, not a failure), anything else a failure the scheduler should alert on.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CONFIG="${1:?usage: retrain.sh CONFIG}"
RUNS_ROOT="${RUNS_ROOT:?set RUNS_ROOT to the folder (any Hadoop URI) that collects retraining runs}"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
LOG_DIR="${LOG_DIR:-/var/log/alexnet-spark}"
mkdir -p "$LOG_DIR"
LOG="$LOG_DIR/retrain-$STAMP.log"

# shellcheck disable=SC2086
"$ROOT/deploy/bin/submit" ${SPARK_SUBMIT_OPTS_ALEXNET:-} -- retrain --config "$CONFIG" \
  --set "job.output=$RUNS_ROOT/$STAMP" >"$LOG" 2>&1
code=$?
case "$code" in
  0) echo "retrain $STAMP: promoted ($(grep -m1 '^promoted' "$LOG"))" ;;
  4) echo "retrain $STAMP: production kept ($(grep -m1 '^kept' "$LOG"))"; code=0 ;;
  *) echo "retrain $STAMP: FAILED with exit code $code; log: $LOG" >&2 ;;
esac
exit "$code"
