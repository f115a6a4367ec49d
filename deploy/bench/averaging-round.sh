#!/usr/bin/env bash
# Issue 4's benchmark: ONE averaging round of the AlexNet parameter vector (62,378,344 float32,
# 249.5 MB) through our Aeron parameter server with N workers on loopback, beside references
# measured in the same run, one after the other (each part in its own JVM):
#   1. Aeron's own throughput sample (io.aeron.samples.EmbeddedThroughput), UDP on loopback and IPC:
#      the transport's ceiling on this machine;
#   2. the in-memory floor: memcpy of the vector and sum/N of N vectors, one Java thread;
#   3. our round: UDP with 1 shard and with N shards, IPC with 1 shard; 1 warm-up + median of ROUNDS;
#   4. DL4J's ParameterAveragingTrainingMaster in Spark local[N], one averaging round per fit();
# then prints a summary table with the ratios. JSON lines go to target/bench/averaging-<time>.jsonl.
#
#   deploy/bench/averaging-round.sh [workers="2 4 8"]
#
# Environment (defaults in brackets):
#   FLOATS [62378344]      vector length; smaller for a smoke run (e.g. 1000000)
#   ROUNDS [3] WARMUP [1]  measured and warm-up rounds per configuration
#   TRANSPORTS ["udp ipc"] IPC_SHARDS ["1"]  which parameter-server configurations
#   SPARK_MODEL [paper at full size, else small]  paper | small (a ~10k-parameter network) | off
#   SAMPLE_SECONDS [10]    how long each Aeron sample runs; SAMPLE_PORT [20121]; SAMPLE_OPTS [""]
#                          extra -D options for it (e.g. -Daeron.socket.so_rcvbuf=2097152)
#   PS_OPTS [""]           extra options for our rounds, e.g. "--term-length 33554432 --chunk-bytes 1048576",
#                          "--mac hmac-sha256" (the default MAC is JobSpec.DEFAULT_MAC, AES-GCM)
#   FLOOR_HEAP, PS_HEAP, SPARK_HEAP_MB, SPARK_OFFHEAP_MB   JVM memory (see below; at full size with
#                          N=8 the Spark part may take ~13 GB: heap ~4 GB + ND4J off-heap up to ~9 GB)
#
# Waits while $ROOT/.bench-lock exists before every Maven build and every java run, unless
# BENCH_LOCK_HELD=1 says the caller holds that lock itself. Run it on an
# otherwise idle machine: the parts are single runs on a shared 2-core box otherwise.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORKERS="${1:-2 4 8}"
FLOATS="${FLOATS:-62378344}"
ROUNDS="${ROUNDS:-3}"
WARMUP="${WARMUP:-1}"
TRANSPORTS="${TRANSPORTS:-udp ipc}"
IPC_SHARDS="${IPC_SHARDS:-1}"
if [[ -z "${SPARK_MODEL:-}" ]]; then
  if [[ "$FLOATS" == 62378344 ]]; then SPARK_MODEL=paper; else SPARK_MODEL=small; fi
fi
SAMPLE_SECONDS="${SAMPLE_SECONDS:-10}"
SAMPLE_PORT="${SAMPLE_PORT:-20121}"
OUT="${OUT:-$ROOT/target/bench/averaging-$(date +%Y%m%d-%H%M%S).jsonl}"
LOGDIR="${OUT%.jsonl}-logs"
mkdir -p "$(dirname "$OUT")" "$LOGDIR"

MAXN=0; for n in $WORKERS; do (( n > MAXN )) && MAXN=$n; done
VEC_MB=$(( (FLOATS * 4 + 1048575) / 1048576 ))
# floor: MAXN vectors + the output on the heap; ps: N direct worker buffers + the server's
# float64 sums (heap) and its average (direct); Spark: N network copies off-heap (params, gradients,
# updater) and the workers' serialised results on the heap.
# G1 keeps each 250 MB array in contiguous humongous regions: twice the arrays' size (3.1 GB ran out at N = 8).
FLOOR_HEAP="${FLOOR_HEAP:-$(( 2 * (MAXN + 3) * VEC_MB + 512 ))m}"
[[ "$SPARK_MODEL" == paper ]] && SPARK_VEC_MB=238 || SPARK_VEC_MB=1
# The driver holds N serialised worker results while it aggregates: 3.9 GB ran out at N = 4, 9 GB was enough.
SPARK_HEAP_MB="${SPARK_HEAP_MB:-$(( 2 * (MAXN + 4) * SPARK_VEC_MB + 2048 ))}"
SPARK_OFFHEAP_MB="${SPARK_OFFHEAP_MB:-$(( (3 * MAXN + 4) * SPARK_VEC_MB + 2048 ))}"

wait_lock() {
  # BENCH_LOCK_HELD=1: the caller created the lock itself (and removes it afterwards).
  [[ "${BENCH_LOCK_HELD:-0}" == 1 ]] && return 0
  while [[ -e "$ROOT/.bench-lock" ]]; do
    echo "# $ROOT/.bench-lock exists: waiting" >&2
    sleep 15
  done
}

# Aeron directories and Spark scratch this script's runs leave behind if a JVM is killed.
SAMPLE_DIR="/dev/shm/alexnet-bench-sample-$$"
SHM_BEFORE="$(ls /dev/shm 2>/dev/null | sort || true)"
cleanup() {
  rm -rf "$SAMPLE_DIR"
  comm -13 <(echo "$SHM_BEFORE") <(ls /dev/shm 2>/dev/null | sort) | grep '^alexnet-bench-' \
    | while read -r d; do rm -rf "/dev/shm/$d"; done || true
}
trap cleanup EXIT

# ---- build: our modules, the bench classpath (Spark included), Aeron's samples jar -------------
AERON_VERSION="$(sed -n 's:.*<aeron.version>\(.*\)</aeron.version>.*:\1:p' "$ROOT/pom.xml" | head -1)"
CP_FILE="$ROOT/modules/bench/target/classpath-averaging.txt"
SAMPLE_JAR_DIR="$ROOT/modules/bench/target/aeron-sample"
wait_lock
(cd "$ROOT" \
  && mvn -B -q -DskipTests install -pl modules/bench -am \
  && mvn -B -q -pl modules/bench dependency:build-classpath -Dmdep.outputFile="$CP_FILE" \
  && mvn -B -q -pl modules/bench compile \
  && mvn -B -q -pl modules/bench dependency:copy -Dartifact="io.aeron:aeron-all:$AERON_VERSION" \
       -DoutputDirectory="$SAMPLE_JAR_DIR") >&2
# aeron-samples is not on Maven Central after 1.46.8; aeron-all (client + driver + samples + Agrona,
# shaded) carries io.aeron.samples.EmbeddedThroughput at our exact version. It runs alone on its
# own classpath: it is never a dependency of the project (the enforcer bans it there).
SAMPLE_JAR="$SAMPLE_JAR_DIR/aeron-all-$AERON_VERSION.jar"
CP="$ROOT/modules/bench/target/classes:$(cat "$CP_FILE")"
MAIN=io.alexnetspark.bench.AveragingRoundBenchmark

echo "# $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GB;" \
  "floats=$FLOATS workers=[$WORKERS] rounds=$ROUNDS warmup=$WARMUP spark=$SPARK_MODEL aeron=$AERON_VERSION;" \
  "load: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT"

# run NAME ERRORJSON JAVA-ARGS...: one JVM, its JSON lines appended to $OUT, a JSON error line if it fails.
run() {
  local name="$1" what="$2"; shift 2
  local log="$LOGDIR/$name.log" rc=0
  wait_lock
  echo "# $name ..." >&2
  java @"$ROOT/conf/jvm.options" "$@" > "$log" 2>&1 || rc=$?
  grep '^{' "$log" | grep -v '"kind": "round"' >&2 || true
  grep '^{' "$log" >> "$OUT" || true
  if [[ $rc -ne 0 ]]; then
    local why
    why="exit $rc$( [[ $rc -eq 137 ]] && echo ' (killed: out of memory?)' ); $(grep -m1 -E 'Exception|Error' "$log" | tr -d '"\\' | cut -c1-200 || true)"
    echo "{\"bench\": \"averaging-round\", $what, \"kind\": \"error\", \"error\": \"$why\", \"log\": \"$log\"}" | tee -a "$OUT"
  fi
  cleanup
}

# ---- 1. Aeron's own throughput sample: the transport's ceiling --------------------------------
sample() {
  local transport="$1" channel="$2" log="$LOGDIR/aeron-sample-$1.log" rc=0
  wait_lock
  echo "# Aeron EmbeddedThroughput $transport, ${SAMPLE_SECONDS}s ..." >&2
  # It streams 10M messages then asks on stdin whether to run again: the time-out ends it.
  timeout -s TERM "$SAMPLE_SECONDS" java \
      --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED --add-opens=java.base/jdk.internal.misc=ALL-UNNAMED \
      --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
      -Daeron.dir="$SAMPLE_DIR" -Daeron.dir.delete.on.start=true -Daeron.dir.delete.on.shutdown=true \
      -Daeron.threading.mode=SHARED -Daeron.mtu.length=65504 -Daeron.sample.messageLength=65536 \
      ${SAMPLE_OPTS:-} -Daeron.sample.channel="$channel" -cp "$SAMPLE_JAR" io.aeron.samples.EmbeddedThroughput \
      < /dev/null > "$log" 2>&1 || rc=$?
  rm -rf "$SAMPLE_DIR"
  # Lines: "<msgs> msgs/sec, <bytes> bytes/sec, totals ..." once a second; the first two are ramp-up.
  awk -v tr="$transport" -v ch="$channel" -v rc="$rc" -v secs="$SAMPLE_SECONDS" '
    /bytes\/sec/ { n++; if (n > 2) v[++k] = $3 / 1e6 }
    END {
      if (k == 0) { printf "{\"bench\": \"averaging-round\", \"part\": \"aeron-sample\", \"transport\": \"%s\", \"kind\": \"error\", \"error\": \"no steady-state report (exit %s)\"}\n", tr, rc; exit }
      for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
      med = (k % 2) ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
      all = ""; for (i = 1; i <= k; i++) all = all (i > 1 ? ", " : "") sprintf("%.1f", v[i])
      printf "{\"bench\": \"averaging-round\", \"part\": \"aeron-sample\", \"kind\": \"config\", \"transport\": \"%s\", \"channel\": \"%s\", \"seconds\": %s, \"message_length\": 65536, \"mtu\": 65504, \"threading\": \"SHARED\", \"reports\": %d, \"mb_s\": %.1f, \"min_mb_s\": %.1f, \"max_mb_s\": %.1f, \"sorted_mb_s\": \"[%s]\"}\n", tr, ch, secs, k, med, v[1], v[k], all
    }' "$log" | tee -a "$OUT"
}
sample udp "aeron:udp?endpoint=127.0.0.1:$SAMPLE_PORT"
sample ipc "aeron:ipc"

# ---- 2. the in-memory floor -------------------------------------------------------------------
run floor '"part": "floor"' -Xmx"$FLOOR_HEAP" -cp "$CP" $MAIN floor --floats "$FLOATS" \
  --workers "$(echo $WORKERS | tr ' ' ',')" --rounds "$ROUNDS" --warmup "$WARMUP"

# ---- 3. our parameter server --------------------------------------------------------------------
for n in $WORKERS; do
  PS_HEAP_N="${PS_HEAP:-$(( 2 * VEC_MB + 512 ))m}"
  # N worker vectors + the server's two shard buffers (latest average, and the open round's).
  PS_DIRECT_N="$(( (n + 2) * VEC_MB + 256 ))m"
  for tr in $TRANSPORTS; do
    if [[ "$tr" == udp ]]; then shard_list="1 $n"; else shard_list="$IPC_SHARDS"; fi
    for s in $(echo $shard_list | tr ' ' '\n' | sort -un); do
      run "ps-$tr-s$s-n$n" "\"part\": \"paramserver\", \"transport\": \"$tr\", \"shards\": $s, \"workers\": $n" \
        -Xmx"$PS_HEAP_N" -XX:MaxDirectMemorySize="$PS_DIRECT_N" -cp "$CP" $MAIN ps --floats "$FLOATS" --workers "$n" \
        --transport "$tr" --shards "$s" --rounds "$ROUNDS" --warmup "$WARMUP" ${PS_OPTS:-}
    done
  done
done

# ---- 4. DL4J's ParameterAveragingTrainingMaster through Spark local[N] --------------------------
if [[ "$SPARK_MODEL" != off ]]; then
  for n in $WORKERS; do
    run "spark-n$n" "\"part\": \"spark\", \"workers\": $n" -Xmx"${SPARK_HEAP_MB}m" \
      -Dorg.bytedeco.javacpp.maxbytes="${SPARK_OFFHEAP_MB}M" \
      -Dorg.bytedeco.javacpp.maxphysicalbytes="$(( SPARK_OFFHEAP_MB + SPARK_HEAP_MB + 1024 ))M" \
      -cp "$CP" $MAIN spark --workers "$n" --spark-model "$SPARK_MODEL" --rounds "$ROUNDS" --warmup "$WARMUP"
  done
fi

# ---- summary ----------------------------------------------------------------------------------
wait_lock
echo
java -cp "$CP" $MAIN summary --in "$OUT" | tee "${OUT%.jsonl}-summary.txt"
echo "# results: $OUT (logs: $LOGDIR)" >&2
