#!/usr/bin/env bash
# What runs of a cluster that deploy/local/up.sh started: each daemon (alive or not, its address),
# the namespace hosts and their links, HDFS's live DataNodes and the Master's Workers.
#
#   deploy/local/status.sh [--dir DIR]
# Exits 0 when every daemon runs, 1 when one does not, 2 when no cluster is up in DIR.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR_ARG=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) DIR_ARG="$2"; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
DIR="$(cluster_dir "$DIR_ARG")"
[[ -f "$DIR/cluster.env" ]] || { say "no cluster is up in $DIR"; exit 2; }
# shellcheck source=/dev/null
source "$DIR/cluster.env"

down=0
echo "cluster in $DIR: HDFS $HDFS_URL, Spark $MASTER_URL"
printf '%-12s %-8s %-6s %s\n' daemon pid state "processes in its group"
for f in "$DIR"/pids/*.pid; do
  [[ -f "$f" ]] || continue
  name="$(basename "$f" .pid)" pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then state=up; else state=DOWN; down=1; fi
  printf '%-12s %-8s %-6s %s\n' "$name" "$pid" "$state" "$(group_pids "$pid" | wc -l)"
done
if ((HOSTS > 0)); then
  echo "hosts:"
  i=0
  for ns in $NETNS; do
    i=$((i + 1))
    addr="$(ip netns exec "$ns" ip -4 -o addr show dev eth0 2>/dev/null | awk '{print $4}')"
    qdisc="$(tc qdisc show dev "${ns/-h/h}" 2>/dev/null | grep -o 'rate [^ ]*' || true)"
    printf '  %-10s %-16s %s processes%s\n' "$ns" "${addr:-(gone)}" "$(ip netns pids "$ns" 2>/dev/null | wc -l)" "${qdisc:+, link $qdisc}"
  done
fi
echo "HDFS:"
java -Xmx128m -cp "$DIR/conf/hadoop-client:$(cat "$HDFS_CLASSPATH_FILE")" org.apache.hadoop.hdfs.tools.DFSAdmin -report -live 2>/dev/null \
  | grep -E '^(Live datanodes|Name:|DFS Remaining:)' | sed 's/^/  /' || { echo "  the NameNode does not answer"; down=1; }
echo "Spark:"
if json="$(curl -fsS --max-time 5 "$MASTER_UI/json/" 2>/dev/null)"; then
  echo "$json" | python3 -c 'import json, sys
m = json.load(sys.stdin)
print("  %s: %d alive Workers, %d of %d cores in use, %d running applications" % (m["status"], m["aliveworkers"], m["coresused"], m["cores"], len(m["activeapps"])))
for w in m["workers"]:
    print("  worker %s:%s %s, %d/%d cores in use" % (w["host"], w["port"], w["state"], w["coresused"], w["cores"]))' 2>/dev/null \
    || echo "$json" | grep -E '"(aliveworkers|host|state)"' | sed 's/^ */  /'
else
  echo "  the Master's UI does not answer at $MASTER_UI"; down=1
fi
exit "$down"
