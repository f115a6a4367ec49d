# Shared by deploy/local/up.sh, down.sh, status.sh and submit.sh: where a local cluster keeps its
# files, and how its daemons are started, found and stopped. Sourced, not run.
#
# A cluster's folder (--dir, default ./work/local-cluster) holds:
#   cluster.env        what the other scripts read: addresses, ports, namespaces, links
#   pids/NAME.pid      one per daemon this cluster started (its own process group: setsid)
#   logs/NAME.log      each daemon's output
#   conf/              Hadoop configuration per daemon, Spark's daemon and application properties (0600)
#   data/, work/       HDFS storage and the Workers' folders (executor logs: work/<worker>/app-*/N/stderr)
#   spark-home/        jars/ links to the jars Maven resolved, as a Spark distribution's jars/ folder

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

say() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; }
die() { say "error: $*"; exit 2; }

# The cluster's folder from --dir, as an absolute path.
cluster_dir() {
  local dir="${1:-$ROOT/work/local-cluster}"
  mkdir -p "$dir"
  (cd "$dir" && pwd)
}

# Starts a daemon in its own session (so that its process group holds it and every process it
# starts, e.g. a Worker's executors), in network namespace $2 when not empty. Its pid goes to
# pids/$1.pid, its output to logs/$1.log.
start_daemon() {
  local name="$1" netns="$2"
  shift 2
  local log="$DIR/logs/$name.log"
  : > "$log"
  if [[ -n "$netns" ]]; then
    # ip netns exec and setsid both exec (no fork here: a background job is no group leader), so
    # $! is the JVM's pid.
    ip netns exec "$netns" setsid "$@" > "$log" 2>&1 < /dev/null &
  else
    setsid "$@" > "$log" 2>&1 < /dev/null &
  fi
  echo "$!" > "$DIR/pids/$name.pid"
}

# Waits until logs/$1.log contains $2, for at most $3 seconds, while the daemon lives.
await_log() {
  local name="$1" line="$2" seconds="$3" pid
  pid="$(cat "$DIR/pids/$name.pid")"
  local deadline=$((SECONDS + seconds))
  while ((SECONDS < deadline)); do
    grep -qF -- "$line" "$DIR/logs/$name.log" 2>/dev/null && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      say "$name exited before it logged '$line'; the end of logs/$name.log:"
      tail -n 30 "$DIR/logs/$name.log" >&2
      return 1
    fi
    sleep 0.5
  done
  say "$name did not log '$line' within ${seconds}s; the end of logs/$name.log:"
  tail -n 30 "$DIR/logs/$name.log" >&2
  return 1
}

# Every process of a daemon's process group (the daemon and what it started), as pids.
group_pids() {
  ps -eo pid=,pgid= | awk -v g="$1" '$2 == g { print $1 }'
}
