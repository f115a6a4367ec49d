#!/usr/bin/env bash
# One AlexNet replica on the CPU: DL4J (this project's network) beside the PyTorch reference,
# in the same run, same batch, same thread count. Prints one JSON line per run and a summary.
#
#   deploy/bench/replica-vs-pytorch.sh [batches="32 128"] [classifiers="linux-x86_64-onednn"] [workspaces="ENABLED"] [layers="native"]
#
# Needs: apt-get install -y python3-torch libopenblas0-pthread (the reference; it must load OpenBLAS).
# BREAKDOWN=1 adds, per batch size, the per-operator time of a training step for both engines
# (ND4J's op profiler over our layers; torch.profiler over the reference's own model).
# Run it on an otherwise idle machine.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BATCHES="${1:-32 128}"
CLASSIFIERS="${2:-linux-x86_64-onednn}"
WORKSPACES="${3:-ENABLED}"
LAYERS="${4:-native}"
THREADS="${THREADS:-$(nproc)}"
ITERS="${ITERS:-5}"
REF="${REF:-$ROOT/../shared/reference/torch_alexnet_bench.py}"
OUT="${OUT:-$ROOT/target/bench/replica-$(date +%Y%m%d-%H%M%S).jsonl}"
mkdir -p "$(dirname "$OUT")"
export OMP_NUM_THREADS="$THREADS"

(cd "$ROOT" && mvn -B -q -DskipTests install -pl modules/bench -am) >&2
echo "# $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; threads=$THREADS iters=$ITERS" | tee "$OUT"

for cls in $CLASSIFIERS; do
  CP_FILE="$ROOT/modules/bench/target/classpath-$cls.txt"
  (cd "$ROOT" && mvn -B -q -pl modules/bench -Dnd4j.classifier="$cls" dependency:build-classpath \
      -Dmdep.outputFile="$CP_FILE" && mvn -B -q -pl modules/bench -Dnd4j.classifier="$cls" compile) >&2
  for b in $BATCHES; do
    for ws in $WORKSPACES; do
    for layers in $LAYERS; do
      LOG="${OUT%.jsonl}-$cls-b$b-$ws-$layers.log"
      rc=0
      java @"$ROOT/conf/jvm.options" -Xmx8g -Dalexnet.bench.classifier="$cls" \
          -cp "$ROOT/modules/bench/target/classes:$(cat "$CP_FILE")" io.alexnetspark.bench.ReplicaThroughput \
          "$b" "$ITERS" alexnet-single "$ws" "$layers" > "$LOG" 2>&1 || rc=$?
      if [[ $rc -eq 0 ]]; then
        grep '^{' "$LOG" | tee -a "$OUT"
      else
        why="exit $rc$( [[ $rc -eq 137 ]] && echo ' (killed: out of memory?)' ); $(grep -m1 -E 'Exception|Error' "$LOG" | tr -d '"' | cut -c1-200 || true)"
        echo "{\"backend\": \"$cls\", \"layers\": \"$layers\", \"batch\": $b, \"workspace\": \"$ws\", \"error\": \"$why\", \"log\": \"$LOG\"}" | tee -a "$OUT"
      fi
    done
    done
  done
done
for b in $BATCHES; do
  /usr/bin/python3 - "$REF" "$b" "$ITERS" "$THREADS" <<'PY' | tee -a "$OUT"
import json, resource, runpy, sys, io, contextlib
ref, b, iters, threads = sys.argv[1:]
sys.argv = [ref, b, iters, threads]
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    runpy.run_path(ref, run_name="__main__")
line = json.loads(buf.getvalue().strip().splitlines()[-1])
line["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(json.dumps(line))
PY
done
if [[ "${BREAKDOWN:-0}" == 1 ]]; then
  cls="${CLASSIFIERS%% *}"
  for b in $BATCHES; do
    java @"$ROOT/conf/jvm.options" -Xmx8g -cp "$ROOT/modules/bench/target/classes:$(cat "$ROOT/modules/bench/target/classpath-$cls.txt")" \
      io.alexnetspark.bench.OpBreakdown "$b" 3 native > "${OUT%.jsonl}-breakdown-dl4j-b$b.log" 2>&1
    grep '^{' "${OUT%.jsonl}-breakdown-dl4j-b$b.log" | tee -a "$OUT"
    /usr/bin/python3 "$ROOT/deploy/bench/torch_breakdown.py" "$REF" "$b" 3 "$THREADS" 2>/dev/null | tee -a "$OUT"
  done
  echo "# per-op tables of ours: ${OUT%.jsonl}-breakdown-dl4j-b*.log (ND4J's dashboard)" >&2
fi
echo "# results: $OUT" >&2
