#!/usr/bin/env bash
# Stops a cluster that deploy/local/up.sh started, and only what it started: the process groups
# named by its pid files (each daemon with the processes it started, a Worker's executors among
# them), every process still inside its network namespaces, then the namespaces, links and bridge
# it made. Logs stay; --purge also removes HDFS's data and the Workers' folders.
#
#   deploy/local/down.sh [--dir DIR] [--purge]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR_ARG="" PURGE=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) DIR_ARG="$2"; shift 2 ;;
    --purge) PURGE=1; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
DIR="$(cluster_dir "$DIR_ARG")"
[[ -f "$DIR/cluster.env" ]] || { say "no cluster in $DIR (no cluster.env): nothing to stop"; exit 0; }
# shellcheck source=/dev/null
source "$DIR/cluster.env"

# 1. SIGTERM to each daemon's process group (Workers first: their executors end with them), then
#    SIGKILL to what is left after 20 s. Only the groups our pid files name.
groups=()
for f in "$DIR"/pids/worker*.pid "$DIR"/pids/*.pid; do
  [[ -f "$f" ]] || continue
  pid="$(cat "$f")"
  [[ " ${groups[*]} " == *" $pid "* ]] && continue
  groups+=("$pid")
done
for g in "${groups[@]}"; do
  [[ -n "$(group_pids "$g")" ]] && kill -TERM -- "-$g" 2>/dev/null || true
done
deadline=$((SECONDS + 20))
for g in "${groups[@]}"; do
  while [[ -n "$(group_pids "$g")" ]] && ((SECONDS < deadline)); do sleep 0.3; done
  if [[ -n "$(group_pids "$g")" ]]; then
    say "process group $g did not stop within 20 s: SIGKILL"
    kill -KILL -- "-$g" 2>/dev/null || true
  fi
done
rm -f "$DIR"/pids/*.pid

# 2. The namespaces: anything still running in one is ours (we made them), then the namespaces,
#    the veth pairs (deleting one end removes its peer) and the bridge.
remove_hosts
remove_cgroups

if ((PURGE)); then
  rm -rf "$DIR/data" "$DIR/work" "$DIR/spark-home" "$DIR/conf"
fi
rm -f "$DIR/cluster.env"
say "stopped the cluster in $DIR (logs kept in $DIR/logs)"
