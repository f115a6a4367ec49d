#!/usr/bin/env bash
# Issue 17's scaling benchmark: averaging rounds of the whole parameter vector (62,378,344 float32,
# 249.5 MB) between processes on distinct hosts, for the two placements of the parameter server:
#   driver     one server (1 shard) on the driver's host, N replicas on N other hosts;
#   executors  one shard beside every replica (S = N), one per host.
# Each host is a network namespace (deploy/local/lib.sh: veth to a bridge) whose link is limited
# by tc tbf to RATE each way; the driver's host has such a link too, as it would on a cluster.
# Rounds run back to back (no training between them); the round time is the median interval between
# the moments the last replica received consecutive averages, beside the cost model's prediction
# (bytes through the busiest link / RATE; MultiHostRound.summary). JSON lines and a summary go to
# target/bench/scaling-<time>.jsonl.
#
#   deploy/bench/scaling.sh            (as root: network namespaces)
#
# Environment (defaults in brackets): RATES ["1gbit 2500mbit"], WORKERS ["2 3 4"],
# PLACEMENTS ["driver executors"], ROUNDS [5] (the first WARMUP [1] and the interval after it are
# left out), FLOATS [62378344], MTU [9000: jumbo frames, as GPU clusters' networks run; 1500 is
# Linux's default], SUBNET [198.18.9], NAME [alxb].
# Run it on an otherwise idle machine: every host is a JVM on the same 2 cores.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/deploy/local/lib.sh"

RATES="${RATES:-1gbit 2500mbit}"
WORKERS="${WORKERS:-2 3 4}"
PLACEMENTS="${PLACEMENTS:-driver executors}"
ROUNDS="${ROUNDS:-5}"
WARMUP="${WARMUP:-1}"
FLOATS="${FLOATS:-62378344}"
SUBNET="${SUBNET:-198.18.9}"
NAME="${NAME:-alxb}"
PORT=40123
[[ "$(id -u)" == 0 ]] || die "the hosts are network namespaces: run as root"
command -v tc >/dev/null || die "needs tc (iproute2)"
for r in $RATES; do rate_burst "$r" >/dev/null; done
OUT="${OUT:-$ROOT/target/bench/scaling-$(date +%Y%m%d-%H%M%S).jsonl}"
LOGDIR="${OUT%.jsonl}-logs"
mkdir -p "$(dirname "$OUT")" "$LOGDIR"

CP_FILE="$ROOT/modules/bench/target/classpath-averaging.txt"
AERON_VERSION="$(sed -n 's:.*<aeron.version>\(.*\)</aeron.version>.*:\1:p' "$ROOT/pom.xml" | head -1)"
SAMPLE_JAR_DIR="$ROOT/modules/bench/target/aeron-sample"
(cd "$ROOT" \
  && mvn -B -q -DskipTests install -pl modules/bench -am \
  && mvn -B -q -pl modules/bench dependency:build-classpath -Dmdep.outputFile="$CP_FILE" \
  && mvn -B -q -pl modules/bench dependency:copy -Dartifact="io.aeron:aeron-all:$AERON_VERSION" \
       -DoutputDirectory="$SAMPLE_JAR_DIR") >&2
# Aeron's own samples (aeron-all carries them at our version; never a dependency of the project).
SAMPLE_JAR="$SAMPLE_JAR_DIR/aeron-all-$AERON_VERSION.jar"
CP="$ROOT/modules/bench/target/classes:$(cat "$CP_FILE")"
MAIN=io.alexnetspark.bench.MultiHostRound
SECRET_FILE="$(mktemp)"
head -c 32 /dev/urandom > "$SECRET_FILE"

NETNS="" LINKS="" BRIDGE="" RATE="" BURST=""
MTU="${MTU:-9000}"
noop() { :; }
cleanup() { remove_hosts; NETNS="" LINKS="" BRIDGE=""; }
trap 'cleanup; rm -f "$SECRET_FILE"' EXIT
MAXN=0; for n in $WORKERS; do ((n > MAXN)) && MAXN=$n; done

echo "# $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; floats=$FLOATS rates=[$RATES] workers=[$WORKERS]" \
  "rounds=$ROUNDS warmup=$WARMUP mtu=$MTU; load: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT"

# run_on HOST LOG ARGS...: a JVM of MultiHostRound in host HOST's namespace, in the background.
run_on() {
  local host="$1" log="$2"
  shift 2
  ip netns exec "$NAME-h$host" java @"$ROOT/conf/jvm.options" -Xmx1g -XX:MaxDirectMemorySize=2g -cp "$CP" $MAIN "$@" \
    > "$log" 2>&1 &
}

# The reference, measured in the same run on the same links: Aeron's own samples streaming 64 KB
# messages from host 1 to host 2 (StreamingPublisher -> RateSubscriber, each with an embedded
# driver, SHARED threading, MTU 65504 as our server, 2 MB socket buffers and receiver window),
# SAMPLE_SECONDS [12]; the median of the subscriber's once-a-second rates while data flowed, the
# first one (ramp-up) left out. One direction of one link: what Aeron gets
# through a link of RATE, framing and all.
aeron_link_sample() {
  local log="$LOGDIR/aeron-sample-$RATE.log" seconds="${SAMPLE_SECONDS:-12}"
  local opts=(--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED --add-opens=java.base/jdk.internal.misc=ALL-UNNAMED
              --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
              -Daeron.threading.mode=SHARED -Daeron.mtu.length=65504 -Daeron.sample.messageLength=65536
              -Daeron.socket.so_rcvbuf=2097152 -Daeron.socket.so_sndbuf=2097152 -Daeron.rcv.initial.window.length=2097152 ${SAMPLE_OPTS:-}
              -Daeron.sample.embeddedMediaDriver=true -Daeron.sample.channel="aeron:udp?endpoint=$SUBNET.12:20121")
  ip netns exec "$NAME-h2" timeout -s TERM "$((seconds + 3))" java "${opts[@]}" -Daeron.dir="/dev/shm/alexnet-bench-sample-sub-$$" \
    -cp "$SAMPLE_JAR" io.aeron.samples.RateSubscriber < /dev/null > "$log" 2>&1 &
  local sub=$!
  sleep 2
  ip netns exec "$NAME-h1" timeout -s TERM "$seconds" java "${opts[@]}" -Daeron.dir="/dev/shm/alexnet-bench-sample-pub-$$" \
    -cp "$SAMPLE_JAR" io.aeron.samples.StreamingPublisher < /dev/null > "$LOGDIR/aeron-sample-pub-$RATE.log" 2>&1 || true
  wait "$sub" || true
  rm -rf "/dev/shm/alexnet-bench-sample-sub-$$" "/dev/shm/alexnet-bench-sample-pub-$$"
  awk -v rate="$RATE" -v mtu="$MTU" '
    / payload bytes\/sec/ { for (i = 1; i < NF; i++) if ($(i + 1) == "payload" && $i > 0) { n++; if (n > 1) v[++k] = $i / 1e6 } }
    END {
      if (k == 0) { printf "{\"bench\": \"multihost-round\", \"kind\": \"error\", \"part\": \"aeron-link-sample\", \"rate\": \"%s\"}\n", rate; exit }
      for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
      med = (k % 2) ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
      printf "{\"bench\": \"multihost-round\", \"kind\": \"aeron-link-sample\", \"rate\": \"%s\", \"mtu\": \"%s\", \"reports\": %d, \"mb_s\": %.1f}\n", rate, mtu, k, med
    }' "$log" | tee -a "$OUT"
}

for RATE in $RATES; do
  # Hosts 0 (the driver's) to MAXN, every link limited to RATE each way.
  add_bridge noop
  for h in $(seq 0 "$MAXN"); do add_host "$h" noop; done
  aeron_link_sample
  for n in $WORKERS; do
    hosts="$(for h in $(seq 1 "$n"); do printf '%s,' "$SUBNET.$((10 + h))"; done)"
    hosts="${hosts%,}"
    for placement in $PLACEMENTS; do
      tag="$placement-n$n-$RATE"
      echo "# $tag ..." >&2
      common=(--workers "$n" --floats "$FLOATS" --rounds "$ROUNDS" --port "$PORT" --job-id "$RANDOM$RANDOM"
              --secret-file "$SECRET_FILE" --server-host "$SUBNET.10" --rate "$RATE" --mtu "$MTU")
      pids=()
      if [[ "$placement" == driver ]]; then
        run_on 0 "$LOGDIR/$tag-server.log" server "${common[@]}" --linger-ms 15000
        server=$!
      fi
      for w in $(seq 0 $((n - 1))); do
        h=$((w + 1))
        if [[ "$placement" == driver ]]; then
          run_on "$h" "$LOGDIR/$tag-w$w.log" worker "${common[@]}" --worker "$w" --bind "$SUBNET.$((10 + h))"
        else
          run_on "$h" "$LOGDIR/$tag-w$w.log" peer "${common[@]}" --worker "$w" --bind "$SUBNET.$((10 + h))" \
            --hosts "$hosts" --linger-ms 15000
        fi
        pids+=("$!")
      done
      failed=0
      for p in "${pids[@]}"; do wait "$p" || failed=1; done
      [[ "$placement" == driver ]] && { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
      if ((failed)); then
        echo "{\"bench\": \"multihost-round\", \"kind\": \"error\", \"config\": \"$tag\", \"logs\": \"$LOGDIR/$tag-*.log\"}" | tee -a "$OUT"
      fi
      grep -h '^{"bench": "multihost-round"' "$LOGDIR/$tag"-w*.log >> "$OUT" || true
    done
  done
  cleanup
done

echo
for RATE in $RATES; do
  java -cp "$CP" $MAIN summary --in "$OUT" --rate "$RATE" --warmup "$WARMUP" | tee -a "${OUT%.jsonl}-summary.jsonl"
done
echo "# results: $OUT (logs: $LOGDIR)" >&2
