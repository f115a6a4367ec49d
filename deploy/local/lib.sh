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
# starts, e.g. a Worker's executors), in network namespace $2 when not empty, in CPU cgroup $3 when
# not empty. Its pid goes to pids/$1.pid, its output to logs/$1.log.
start_daemon() {
  local name="$1" netns="$2" cgroup="$3"
  shift 3
  local log="$DIR/logs/$name.log" prefix=()
  : > "$log"
  # The cgroup first: ip netns exec mounts a sysfs of the namespace's own over /sys, which hides
  # /sys/fs/cgroup from what runs inside.
  [[ -z "$cgroup" ]] || prefix+=("$ROOT/deploy/local/in-cgroup.sh" "$cgroup")
  [[ -z "$netns" ]] || prefix+=(ip netns exec "$netns")
  # in-cgroup.sh, ip netns exec and setsid all exec (no fork here: a background job is no group
  # leader), so $! is the JVM's pid.
  ${prefix[@]+"${prefix[@]}"} setsid "$@" > "$log" 2>&1 < /dev/null &
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

# tbf's bucket for RATE: 1 ms of traffic, at least 64 KB (one GSO segment must fit).
rate_burst() {
  local r="${1,,}" n unit bits
  [[ "$r" =~ ^([0-9]+)(bit|kbit|mbit|gbit)$ ]] || die "a rate must be a number with bit, kbit, mbit or gbit (e.g. 1gbit), got '$1'"
  n="${BASH_REMATCH[1]}" unit="${BASH_REMATCH[2]}"
  case "$unit" in bit) bits=$n ;; kbit) bits=$((n * 1000)) ;; mbit) bits=$((n * 1000000)) ;; gbit) bits=$((n * 1000000000)) ;; esac
  local bytes=$((bits / 8 / 1000))
  echo $((bytes < 65536 ? 65536 : bytes))
}

# Network-namespace hosts on one bridge. The caller sets NAME, SUBNET, and optionally RATE, BURST,
# QUEUE (tbf's queue in bytes, e.g. 2mb) and MTU (the links' MTU: 1500 unless set; 9000 for jumbo frames, as cluster networks often use); NETNS, LINKS and BRIDGE collect what was made, for remove_hosts (down.sh
# does the same from cluster.env). $1 of each: a command to run after each thing made (e.g. one
# that records them), so that a failure half-way leaves nothing unrecorded.

# The bridge ${NAME}br at SUBNET.1/24, in this namespace.
add_bridge() {
  BRIDGE="${NAME}br"
  ip link add "$BRIDGE" type bridge
  "$1"
  ip addr add "$SUBNET.1/24" dev "$BRIDGE"
  [[ -z "${MTU:-}" ]] || ip link set "$BRIDGE" mtu "$MTU"
  ip link set "$BRIDGE" up
}

# Host $1: namespace $NAME-h$1 with eth0 at SUBNET.(10+$1), a veth pair to the bridge, loopback up,
# and with RATE a tbf on both ends (what reaches the host and what leaves it).
add_host() {
  local i="$1" record="$2" ns="$NAME-h$1" link="${NAME}h$1"
  ip netns add "$ns"
  NETNS="$NETNS $ns"
  "$record"
  ip link add "$link" type veth peer name "${link}p"
  LINKS="$LINKS $link"
  "$record"
  ip link set "${link}p" netns "$ns"
  ip netns exec "$ns" ip link set "${link}p" name eth0
  ip netns exec "$ns" ip addr add "$SUBNET.$((10 + i))/24" dev eth0
  if [[ -n "${MTU:-}" ]]; then
    ip netns exec "$ns" ip link set eth0 mtu "$MTU"
    ip link set "$link" mtu "$MTU"
  fi
  ip netns exec "$ns" ip link set eth0 up
  ip netns exec "$ns" ip link set lo up
  ip link set "$link" master "$BRIDGE"
  ip link set "$link" up
  if [[ -n "${RATE:-}" ]]; then
    # The queue: QUEUE bytes when set (a switch port's buffer), else what 50 ms at RATE holds. A
    # small queue drops bursts: many senders into one link (incast) lose packets, which Aeron,
    # without congestion control, sends again at once.
    local burst="${BURST:-$(rate_burst "$RATE")}" queue=(latency 50ms)
    [[ -z "${QUEUE:-}" ]] || queue=(limit "$QUEUE")
    tc qdisc add dev "$link" root tbf rate "$RATE" burst "$burst" "${queue[@]}"
    ip netns exec "$ns" tc qdisc add dev eth0 root tbf rate "$RATE" burst "$burst" "${queue[@]}"
  fi
}

# Removes the namespaces in NETNS (killing whatever still runs inside: we made them), the links in
# LINKS (a veth's peer goes with it) and BRIDGE.
remove_hosts() {
  local ns left link
  for ns in ${NETNS:-}; do
    if ip netns list 2>/dev/null | grep -qw "$ns"; then
      left="$(ip netns pids "$ns" 2>/dev/null || true)"
      if [[ -n "$left" ]]; then
        say "processes still in $ns: $(echo $left): SIGKILL"
        # shellcheck disable=SC2086
        kill -KILL $left 2>/dev/null || true
        sleep 0.5
      fi
      ip netns del "$ns" || say "could not remove namespace $ns"
    fi
  done
  for link in ${LINKS:-} ${BRIDGE:-}; do
    if ip link show "$link" >/dev/null 2>&1; then ip link del "$link" || say "could not remove link $link"; fi
  done
}

# A CPU cgroup named $1 holding at most $2 cores (a decimal, e.g. 0.5): cgroup v1's cpu
# controller (cpu.cfs_quota_us) or v2's (cpu.max). Its folder goes to CGROUP_DIR; CGROUPS collects
# them for remove_cgroups.
add_cpu_cgroup() {
  local name="$1" cpus="$2" period=100000 quota dir
  quota="$(awk -v c="$cpus" -v p="$period" 'BEGIN { printf "%d", c * p }')"
  ((quota >= 1000)) || die "--cpus-per-host must be at least 0.01, got '$cpus'"
  if [[ -f /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]]; then
    dir="/sys/fs/cgroup/cpu/$name"
    mkdir "$dir"
    CGROUPS="$CGROUPS $dir"
    echo "$period" > "$dir/cpu.cfs_period_us"
    echo "$quota" > "$dir/cpu.cfs_quota_us"
  elif grep -qw cpu /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
    echo +cpu > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
    dir="/sys/fs/cgroup/$name"
    mkdir "$dir"
    CGROUPS="$CGROUPS $dir"
    echo "$quota $period" > "$dir/cpu.max"
  else
    die "--cpus-per-host needs a cgroup cpu controller (/sys/fs/cgroup/cpu or cgroup v2 with cpu)"
  fi
  CGROUP_DIR="$dir"
}

# Removes the cgroups in CGROUPS (their processes must have ended).
remove_cgroups() {
  local dir
  for dir in ${CGROUPS:-}; do
    [[ -d "$dir" ]] && { rmdir "$dir" 2>/dev/null || say "could not remove cgroup $dir (processes left in it?)"; }
  done
}
