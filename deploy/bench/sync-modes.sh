#!/usr/bin/env bash
# Issue 5's benchmark: the same job on the same data in the same run, once per sync mode —
#   aeron-averaging (ours), spark-averaging (DL4J ParameterAveragingTrainingMaster),
#   dl4j-gradient-sharing (DL4J SharedTrainingMaster) — with 2 replicas on local Spark.
# Reports images/s, the wall time to a fixed validation top-1 error, and the share of wall time
# spent averaging (ours; DL4J's masters do not report theirs).
#
#   deploy/bench/sync-modes.sh [EPOCHS=6] [TARGET_TOP1_ERROR=0.35] [MODES="aeron-averaging spark-averaging dl4j-gradient-sharing"]
#
# Data: the demo's Fashion-MNIST (6,000 train / 1,000 val real photos), ingested once into
# target/bench/sync-modes/shards; network and recipe: conf/demo.conf (batch 64 per replica,
# tau 8). Run on an otherwise idle machine. Results: target/bench/sync-modes-<time>.jsonl + a
# markdown table on stdout (also saved beside it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
EPOCHS="${1:-6}"
TARGET="${2:-0.35}"
MODES="${3:-aeron-averaging spark-averaging dl4j-gradient-sharing}"
CLI="$ROOT/deploy/bin/alexnet-spark"
OUT="$ROOT/target/bench/sync-modes"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="$ROOT/target/bench/sync-modes-$STAMP.jsonl"
mkdir -p "$OUT"

if [[ ! -f "$OUT/shards/manifest.json" ]]; then
  "$CLI" demo-data --out "$OUT/fashion-mnist" --train-per-class 600 --val-per-class 100
  "$CLI" ingest --config "$ROOT/conf/demo.conf" --input "$OUT/fashion-mnist" --output "file://$OUT/shards" \
    --dataset fashion-mnist-demo
fi

for mode in $MODES; do
  rm -rf "$OUT/run-$mode"
  echo "== $mode: $EPOCHS epochs" >&2
  start=$(date +%s.%N)
  "$CLI" train --config "$ROOT/conf/demo.conf" --set "job.data=file://$OUT/shards" \
    --set "job.output=file://$OUT/run-$mode" --set "job.sync-mode=$mode" --set "training.epochs=$EPOCHS" \
    --set "job.evaluation=driver" 2> "$OUT/run-$mode.log" | tail -n 4 >&2
  end=$(date +%s.%N)
  python3 - "$mode" "$OUT/run-$mode/metrics.jsonl" "$start" "$end" "$TARGET" >> "$RESULTS" <<'PY'
import json, sys
mode, path, start, end, target = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
epochs = [json.loads(l) for l in open(path) if l.strip()]
elapsed, reached = 0.0, None
for e in epochs:
    elapsed += e["epochSeconds"]
    if reached is None and e["top1Error"] <= target:
        reached = {"epoch": e["epoch"], "seconds": round(elapsed, 1)}
avg = [e["averagingSeconds"] for e in epochs]
# Jackson writes "not measured" (NaN) as the string "NaN".
avg = None if any(not isinstance(a, (int, float)) or a != a for a in avg) else sum(avg)
wall = sum(e["epochSeconds"] for e in epochs)
print(json.dumps({
    "mode": mode, "epochs": len(epochs), "process_seconds": round(end - start, 1), "epoch_wall_seconds": round(wall, 1),
    "images_per_second_median": sorted(e["imagesPerSecond"] for e in epochs)[len(epochs) // 2],
    "top1_error_by_epoch": [round(e["top1Error"], 4) for e in epochs], "target_top1_error": target,
    "time_to_target": reached,
    "averaging_seconds": None if avg is None else round(avg, 1),
    "averaging_fraction_of_wall": None if avg is None else round(avg / wall, 4)}))
PY
done

python3 - "$RESULTS" <<'PY' | tee "${RESULTS%.jsonl}-summary.md"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ours = next((r for r in rows if r["mode"] == "aeron-averaging"), None)
print("| mode | img/s (median epoch) | vs ours | time to top-1 <= %.2f | final top-1 error | averaging / wall |" % rows[0]["target_top1_error"])
print("| --- | --- | --- | --- | --- | --- |")
for r in rows:
    t = r["time_to_target"]
    ratio = "%.2fx" % (r["images_per_second_median"] / ours["images_per_second_median"]) if ours else "-"
    print("| %s | %.1f | %s | %s | %.2f%% | %s |" % (r["mode"], r["images_per_second_median"], ratio,
          "%.1f s (epoch %d)" % (t["seconds"], t["epoch"]) if t else "not reached in %d epochs" % r["epochs"],
          100 * r["top1_error_by_epoch"][-1],
          "not reported" if r["averaging_fraction_of_wall"] is None else "%.1f%%" % (100 * r["averaging_fraction_of_wall"])))
PY
echo "results: $RESULTS" >&2
