#!/usr/bin/env bash
# Issue 14's benchmark: the same job, unfaulted and with one fault each, in the same run. For each
# fault: did the job finish, the seconds the recovery cost, images lost or repeated per epoch
# against the unfaulted run (goal 0), and the final validation error beside the unfaulted run's.
#
#   deploy/bench/reliability.sh [EPOCHS=4]
#
# The demo job (conf/demo.conf: the 28x28 AlexNet-shaped network, batch 64, tau 8) on the demo's
# Fashion-MNIST (6,000 train / 1,000 val real photos), 2 replicas on local Spark, the parameter
# server in the driver (IPC). Faults:
#   task-fails     a replica task fails after round 4 of epoch 2 (test-only hook, see below)
#   nan-one        one replica's parameters turn NaN in round 3 of epoch 2
#   slow-quorum    replica 1 sleeps 150 ms per mini-batch, paramserver.quorum = 1, round time-out 300 ms
#   driver-killed  the driver process gets SIGKILL in the middle of epoch 2, then `train --resume`
# Replica faults use the TEST-ONLY JVM property alexnet.test.replica-faults (through
# ALEXNET_JAVA_OPTS; the replicas run in the driver's JVM under a local master). Executor JVMs
# killed on a real standalone cluster are measured by StandaloneClusterIT (see BENCHMARKS.md).
# Run on an otherwise idle machine. Results: target/bench/reliability-<time>.jsonl + a markdown table.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
EPOCHS="${1:-4}"
CLI="$ROOT/deploy/bin/alexnet-spark"
OUT="$ROOT/target/bench/reliability"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="$ROOT/target/bench/reliability-$STAMP.jsonl"
mkdir -p "$OUT"

if [[ ! -f "$OUT/shards/manifest.json" ]]; then
  "$CLI" demo-data --out "$OUT/fashion-mnist" --train-per-class 600 --val-per-class 100
  "$CLI" ingest --config "$ROOT/conf/demo.conf" --input "$OUT/fashion-mnist" --output "file://$OUT/shards" \
    --dataset fashion-mnist-demo
fi

secs() { python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 1))" "$1" "$2"; }

train_args() { # name, extra --set ...
  local name="$1"; shift
  echo --config "$ROOT/conf/demo.conf" --set "job.data=file://$OUT/shards" --set "job.output=file://$OUT/run-$name" \
    --set "training.epochs=$EPOCHS" --set "job.evaluation=driver" "$@"
}

report() { # name, exit code, seconds, fault description
  python3 - "$1" "$2" "$3" "$4" "$OUT/run-$1/metrics.jsonl" "$OUT/run-none/metrics.jsonl" >> "$RESULTS" <<'PY'
import json, os, sys
name, code, seconds, fault, path, ref_path = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
load = lambda p: [json.loads(l) for l in open(p) if l.strip()] if os.path.exists(p) else []
epochs, ref = load(path), load(ref_path)
failed = [a for e in epochs for a in e.get("attempts", []) if a["failed"]]
delta = [e["images"] - r["images"] for e, r in zip(epochs, ref)] if ref else []
print(json.dumps({"fault": name, "injected": fault, "exit": code, "survived": code == 0 and len(epochs) == len(ref or epochs),
    "process_seconds": round(seconds, 1), "epoch_wall_seconds": round(sum(e["epochSeconds"] for e in epochs), 1),
    "failed_attempts": len(failed), "recovery_seconds": round(sum(a["seconds"] for a in failed), 1),
    "attempt_causes": [a["cause"][:160] for a in failed], "next": [a["next"] for a in failed],
    "replica_resets": sum(e.get("replicaResets", 0) for e in epochs),
    "missed_rounds": sum(e.get("missedRounds", 0) for e in epochs),
    "images_by_epoch": [e["images"] for e in epochs], "images_minus_unfaulted": delta,
    "top1_error_by_epoch": [round(e["top1Error"], 4) for e in epochs],
    "final_top1_error": epochs[-1]["top1Error"] if epochs else None,
    "unfaulted_final_top1_error": ref[-1]["top1Error"] if ref else None}))
PY
}

run() { # name, fault description, JAVA_OPTS, extra train args...
  local name="$1" fault="$2" opts="$3"; shift 3
  rm -rf "$OUT/run-$name"
  echo "== $name: $fault" >&2
  local start end code=0
  start=$(date +%s.%N)
  # shellcheck disable=SC2046
  ALEXNET_JAVA_OPTS="$opts" "$CLI" train $(train_args "$name" "$@") 2> "$OUT/run-$name.log" | tail -n 3 >&2 || code=$?
  end=$(date +%s.%N)
  report "$name" "$code" "$(secs "$start" "$end")" "$fault"
}

run none "no fault" ""
run task-fails "a replica task fails after round 4 of epoch 2" "-Dalexnet.test.replica-faults=fail@worker=1,epoch=2,round=4,attempt=1"
run nan-one "replica 0's parameters turn NaN in round 3 of epoch 2" "-Dalexnet.test.replica-faults=nan@worker=0,epoch=2,round=3"
run slow-quorum "replica 1 150 ms slower per mini-batch, quorum 1 of 2, round time-out 300 ms" \
  "-Dalexnet.test.replica-faults=slow@worker=1,ms=150" --set paramserver.quorum=1 --set paramserver.round-timeout=300ms

# The driver: SIGKILL once epoch 2 has closed its first round, then --resume.
name=driver-killed
rm -rf "$OUT/run-$name"
echo "== $name: SIGKILL of the driver in epoch 2, then train --resume" >&2
start=$(date +%s.%N)
# shellcheck disable=SC2046
"$CLI" train $(train_args "$name") 2> "$OUT/run-$name.log" > /dev/null &
driver=$!
until grep -q "epoch 2/$EPOCHS  round " "$OUT/run-$name.log" 2>/dev/null; do
  kill -0 "$driver" 2>/dev/null || { echo "the driver ended before epoch 2" >&2; exit 1; }
  sleep 0.1
done
kill -9 "$driver"; wait "$driver" || true
killed=$(date +%s.%N)
code=0
# shellcheck disable=SC2046
"$CLI" train $(train_args "$name") --resume 2> "$OUT/run-$name-resumed.log" | tail -n 3 >&2 || code=$?
end=$(date +%s.%N)
report "$name" "$code" "$(secs "$start" "$end")" "SIGKILL of the driver in epoch 2, then --resume ($(secs "$killed" "$end") s from the kill to the end)"

python3 - "$RESULTS" <<'PY' | tee "${RESULTS%.jsonl}-summary.md"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ref = next(r for r in rows if r["fault"] == "none")
print("| fault | survived | failed attempts | their cost (s) | wall vs unfaulted (s) | images vs unfaulted, per epoch | resets / missed rounds | final top-1 error | unfaulted run's |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for r in rows:
    print("| %s | %s | %d | %.1f | %+.1f | %s | %d / %d | %.2f%% | %.2f%% |" % (r["injected"], "yes" if r["survived"] else "NO (exit %d)" % r["exit"],
          r["failed_attempts"], r["recovery_seconds"], r["process_seconds"] - ref["process_seconds"], r["images_minus_unfaulted"],
          r["replica_resets"], r["missed_rounds"], 100 * (r["final_top1_error"] or 0), 100 * (r["unfaulted_final_top1_error"] or 0)))
PY
echo "results: $RESULTS" >&2
