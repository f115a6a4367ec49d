#!/usr/bin/env bash
# Issue 3's decoder benchmark (BENCHMARKS.md section 4): decode + augment throughput per core for
# 256x256 JPEGs, beside reference decoders in the same run, and the ingestion rate.
#
#   deploy/bench/decode-vs-djpeg.sh [SECONDS per measurement = 5] [IMAGES = 400]
#
# 1. io.alexnetspark.data.bench.DecodeBench (modules/data test sources, one JVM): makes IMAGES
#    500x375 crops of real photos (libjxl-testdata, fetched by the tests' TestData), ingests them
#    with the paper's preprocessing (1 and 2 threads: the ingestion rate), writes the shards'
#    256x256 JPEGs to $WORK/jpeg256, then measures on ONE thread: the pipeline's decoder
#    (ImageIO + TwelveMonkeys), the JDK's own reader, OpenCV's imdecode (libjpeg-turbo, JavaCPP),
#    decode + the paper's training augmentation, and the whole ShardBatchIterator (1 and 2 workers).
# 2. The references on the same files, one core each: Debian's libjpeg-turbo tjbench (in-process
#    decompression, -benchtime per file, on a sample), djpeg (one process per file, so its rate
#    includes fork+exec), and PIL (python3-pil: Image.open(...).load() over the in-memory files).
#
# Needs: libjpeg-turbo-progs and python3-pil (apt-get install -y libjpeg-turbo-progs python3-pil).
# Waits while $ROOT/.bench-lock exists, builds, then waits for an idle machine (load < 0.5, no other
# java/mvn process), holds the lock for the measurements and removes it at exit (also on failure).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SECONDS_EACH="${1:-5}"
IMAGES="${2:-400}"
WORK="${WORK:-$ROOT/target/bench/decode-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$WORK"
for tool in djpeg tjbench; do
  command -v "$tool" >/dev/null || { echo "needs $tool: apt-get install -y libjpeg-turbo-progs" >&2; exit 2; }
done
PY=/usr/bin/python3
"$PY" -c 'import PIL' 2>/dev/null || { echo "needs PIL: apt-get install -y python3-pil" >&2; exit 2; }

wait_lock() {
  while [[ -e "$ROOT/.bench-lock" ]]; do
    echo "# $ROOT/.bench-lock exists: waiting" >&2
    sleep 30
  done
}

wait_lock
(cd "$ROOT" && mvn -B -q -pl modules/data -am install -DskipTests)
(cd "$ROOT" && mvn -B -q -pl modules/data dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$WORK/classpath.txt" >/dev/null)
CP="$ROOT/modules/data/target/test-classes:$ROOT/modules/data/target/classes:$(cat "$WORK/classpath.txt")"

wait_idle() {
  while true; do
    wait_lock
    load=$(cut -d' ' -f1 /proc/loadavg)
    if awk -v l="$load" 'BEGIN {exit !(l < 0.5)}' && ! pgrep -f 'java|mvn' >/dev/null; then return; fi
    echo "# waiting for an idle machine (load $load)" >&2
    sleep 30
  done
}
wait_idle
echo "${BENCH_OWNER:-data-helper} decode-vs-djpeg.sh" > "$ROOT/.bench-lock"
trap 'rm -f "$ROOT/.bench-lock"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(java -version 2>&1 | head -1); $(date -u +%FT%TZ)"
# One core for the single-threaded measurements' JIT and GC to share with nobody else (taskset -c 0
# would also pin the 2-worker runs: left off so those can use both cores).
java -Xmx4g -cp "$CP" io.alexnetspark.data.bench.DecodeBench "$WORK" "$SECONDS_EACH" "$IMAGES" | tee "$WORK/java.txt"

JPEGS=("$WORK"/jpeg256/*.jpg)
N=${#JPEGS[@]}
# tjbench: in-process libjpeg-turbo decompression to BGR, per file; the mean over a sample of 8 files.
tj_sum=0
for f in "${JPEGS[@]:0:8}"; do
  # "-quiet" prints a table whose last column is the decompression throughput in Mpixels/s.
  mp=$(taskset -c 0 tjbench "$f" -quiet -nowrite -benchtime "$SECONDS_EACH" -warmup 1 2>/dev/null | awk 'NF>0 {v=$NF} END {print v}')
  tj_sum=$(awk -v a="$tj_sum" -v b="$mp" 'BEGIN {print a + b}')
done
tj=$(awk -v s="$tj_sum" 'BEGIN {printf "%.1f", s / 8 * 1e6 / (256 * 256)}')
printf '%-72s %8s img/s\n' "reference: libjpeg-turbo tjbench (in-process, 1 core)" "$tj"

# djpeg: one process per file (fork + exec + decode + PPM to /dev/null), all files, 1 core.
start=$(date +%s.%N)
for f in "${JPEGS[@]}"; do taskset -c 0 djpeg -outfile /dev/null "$f"; done
end=$(date +%s.%N)
printf '%-72s %8s img/s\n' "reference: djpeg, one process per file (1 core)" "$(awk -v n="$N" -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", n / (b - a)}')"

# PIL: Image.open + load (decode to RGB) over the files held in memory, 1 core.
taskset -c 0 "$PY" - "$WORK/jpeg256" "$SECONDS_EACH" <<'PYEOF'
import io, os, sys, time
from PIL import Image
d, secs = sys.argv[1], float(sys.argv[2])
data = [open(os.path.join(d, f), "rb").read() for f in sorted(os.listdir(d))]
def run(t):
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < t:
        for b in data:
            im = Image.open(io.BytesIO(b)); im.load(); n += 1
    return n / (time.perf_counter() - t0)
run(secs / 3)
print("%-72s %8.1f img/s" % ("reference: PIL %s Image.open().load() (1 core)" % Image.__version__, run(secs)))
PYEOF
echo "results in $WORK"
