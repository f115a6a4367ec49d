#!/usr/bin/env bash
# A real cluster on this machine: HDFS (a NameNode and DataNodes, each its own JVM, formatted into
# a local folder) and a Spark standalone cluster (a Master and Workers; every Worker starts one JVM
# per executor), from the jars Maven resolves: no Hadoop or Spark installation.
#
#   deploy/local/up.sh [options]
#
#   (default)          everything on 127.0.0.1: a NameNode, a DataNode, a Master and one Worker
#                      with --worker-cores cores
#   --hosts N          N hosts, each a Linux network namespace with its own address
#                      (SUBNET.11 .. SUBNET.(10+N)) running one DataNode and one Worker; veth pairs
#                      to a bridge (SUBNET.1) in this namespace, where the NameNode, the Master and
#                      the driver (deploy/local/submit.sh) live. Needs root.
#   --rate RATE        with --hosts: each host's link limited to RATE both ways (tc tbf; e.g. 1gbit,
#                      2500mbit, 333mbit). netem is not available here, so no added delay or loss.
#   --burst SIZE       tbf's bucket (default: 1 ms at RATE, at least 64kb)
#   --queue SIZE       with --rate: each link's queue (tbf limit, e.g. 2mb; default: 50 ms at RATE)
#   --mtu BYTES        with --hosts: the links' MTU (default 1500; 9000 for jumbo frames)
#   --cpus-per-host C  with --hosts: each host's processes share at most C cores (a CPU cgroup;
#                      e.g. 0.5), so that hosts on one machine do not take each other's CPU
#   --subnet A.B.C     the hosts' /24 (default 198.18.0: 198.18.0.0/15 is reserved for network
#                      benchmarks, RFC 2544); traffic stays between these hosts and loopback
#   --name NAME        prefix of the namespaces, links and bridge (default alx; <= 8 characters)
#   --worker-cores C   cores each Worker offers (default: 2 on 127.0.0.1, 1 per namespace host)
#   --worker-memory M  memory each Worker offers (default 6g)
#   --replication R    HDFS replication (default: min(3, DataNodes))
#   --base-port P      first of the daemons' ports (default 17020; see cluster.env)
#   --dir DIR          the cluster's folder (default ./work/local-cluster)
#
# Spark's traffic is authenticated and encrypted (conf/spark-defaults.conf), with one generated
# secret for the Master, the Workers and the applications (files of mode 600, never a command line).
# Stop it with deploy/local/down.sh; see it with deploy/local/status.sh; submit to it with
# deploy/local/submit.sh. A failure on the way up stops whatever was started.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HOSTS=0 RATE="" BURST="" QUEUE="" MTU="" CPUS_PER_HOST="" CGROUPS="" SUBNET="198.18.0" NAME="alx" WORKER_CORES="" WORKER_MEMORY="6g" REPLICATION=""
BASE_PORT=17020 DIR_ARG=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --hosts) HOSTS="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    --burst) BURST="$2"; shift 2 ;;
    --mtu) MTU="$2"; shift 2 ;;
    --queue) QUEUE="$2"; shift 2 ;;
    --cpus-per-host) CPUS_PER_HOST="$2"; shift 2 ;;
    --subnet) SUBNET="$2"; shift 2 ;;
    --name) NAME="$2"; shift 2 ;;
    --worker-cores) WORKER_CORES="$2"; shift 2 ;;
    --worker-memory) WORKER_MEMORY="$2"; shift 2 ;;
    --replication) REPLICATION="$2"; shift 2 ;;
    --base-port) BASE_PORT="$2"; shift 2 ;;
    --dir) DIR_ARG="$2"; shift 2 ;;
    -h|--help) sed -n '2,29p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

[[ "$HOSTS" =~ ^[0-9]+$ ]] && ((HOSTS <= 200)) || die "--hosts must be a number of hosts from 1 to 200, got '$HOSTS'"
[[ "$NAME" =~ ^[a-z][a-z0-9]{0,7}$ ]] || die "--name must be 1-8 lower-case letters and digits, starting with a letter (it prefixes link names, which Linux limits to 15 characters), got '$NAME'"
[[ "$SUBNET" =~ ^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || die "--subnet must be the first three numbers of a /24, e.g. 198.18.0, got '$SUBNET'"
[[ "$BASE_PORT" =~ ^[0-9]+$ ]] && ((BASE_PORT >= 1024 && BASE_PORT <= 65000)) || die "--base-port must be from 1024 to 65000, got '$BASE_PORT'"
[[ -z "$RATE" || "$HOSTS" -gt 0 ]] || die "--rate limits the namespace hosts' links: it needs --hosts N"
[[ -z "$RATE" ]] || rate_burst "$RATE" >/dev/null  # refuses a rate tc would not take
[[ -z "$MTU$CPUS_PER_HOST" || "$HOSTS" -gt 0 ]] || die "--mtu and --cpus-per-host apply to the namespace hosts: they need --hosts N"
[[ -z "$MTU" || "$MTU" =~ ^[0-9]+$ && "$MTU" -ge 576 && "$MTU" -le 65535 ]] || die "--mtu must be from 576 to 65535, got '$MTU'"
[[ -z "$CPUS_PER_HOST" || "$CPUS_PER_HOST" =~ ^[0-9]*\.?[0-9]+$ ]] || die "--cpus-per-host must be a number of cores, e.g. 0.5, got '$CPUS_PER_HOST'"
command -v java >/dev/null || die "java is not on the PATH (Java 17 is needed)"

DIR="$(cluster_dir "$DIR_ARG")"
if [[ -f "$DIR/cluster.env" ]]; then
  die "a cluster is up in $DIR already (cluster.env): stop it with deploy/local/down.sh --dir $DIR"
fi

if ((HOSTS > 0)); then
  [[ "$(id -u)" == 0 ]] || die "--hosts makes network namespaces, veth pairs and a bridge: run it as root (or use the 127.0.0.1 cluster without --hosts)"
  command -v ip >/dev/null || die "--hosts needs the 'ip' command (iproute2)"
  [[ -z "$RATE" ]] || command -v tc >/dev/null || die "--rate needs the 'tc' command (iproute2)"
  for i in $(seq 1 "$HOSTS"); do
    ip netns list | grep -qw "$NAME-h$i" && die "network namespace $NAME-h$i exists already (another cluster named $NAME?): choose --name, or remove it"
  done
  ip link show "${NAME}br" >/dev/null 2>&1 && die "link ${NAME}br exists already (another cluster named $NAME?): choose --name, or remove it"
  CENTRAL="$SUBNET.1"
else
  CENTRAL="127.0.0.1"
fi
WORKERS=$((HOSTS > 0 ? HOSTS : 1))
WORKER_CORES="${WORKER_CORES:-$((HOSTS > 0 ? 1 : 2))}"
REPLICATION="${REPLICATION:-$((WORKERS < 3 ? WORKERS : 3))}"

NN_PORT=$BASE_PORT NN_HTTP=$((BASE_PORT + 1)) MASTER_PORT=$((BASE_PORT + 2)) MASTER_UI=$((BASE_PORT + 3))
DN_PORT=$((BASE_PORT + 4)) DN_HTTP=$((BASE_PORT + 5)) DN_IPC=$((BASE_PORT + 6)) WORKER_PORT=$((BASE_PORT + 7))
WORKER_UI=$((BASE_PORT + 8))

# --- what a failure on the way up leaves: nothing ------------------------------------------------
mkdir -p "$DIR/pids" "$DIR/logs" "$DIR/conf" "$DIR/data" "$DIR/work"
NETNS="" LINKS="" BRIDGE=""
declare -a HOST_CGROUP=()
write_env() {
  cat > "$DIR/cluster.env" <<EOF
# Written by deploy/local/up.sh; read by down.sh, status.sh and submit.sh.
DIR='$DIR'
HOSTS=$HOSTS
CENTRAL=$CENTRAL
MASTER_URL=spark://$CENTRAL:$MASTER_PORT
MASTER_UI=http://$CENTRAL:$MASTER_UI
HDFS_URL=hdfs://$CENTRAL:$NN_PORT
WORKER_HOSTS='$(worker_hosts)'
WORKERS=$WORKERS
WORKER_CORES=$WORKER_CORES
NETNS='$NETNS'
LINKS='$LINKS'
BRIDGE='$BRIDGE'
CGROUPS='$CGROUPS'
RATE='$RATE'
MTU='$MTU'
CPUS_PER_HOST='$CPUS_PER_HOST'
HDFS_CLASSPATH_FILE='$DIR/conf/hdfs-classpath.txt'
APPLICATION_PROPERTIES='$DIR/conf/application.properties'
EOF
}
worker_hosts() {
  if ((HOSTS > 0)); then for i in $(seq 1 "$HOSTS"); do printf '%s ' "$SUBNET.$((10 + i))"; done; else echo 127.0.0.1; fi
}
on_failure() {
  say "failed on the way up: stopping what was started"
  write_env
  "$ROOT/deploy/local/down.sh" --dir "$DIR" || true
}
trap on_failure ERR
trap 'on_failure; exit 130' INT TERM
write_env  # from the first step on, down.sh knows what to remove

# --- the jars -------------------------------------------------------------------------------------
TARGET="$ROOT/modules/trainer/target"
if [[ ! -f "$TARGET/classpath.txt" ]] || ! ls "$TARGET"/alexnet-trainer-*-job.jar >/dev/null 2>&1; then
  say "building the job jar and its classpath (mvn -DskipTests package) ..."
  (cd "$ROOT" && mvn -B -q -DskipTests package) >&2
fi
if [[ ! -s "$DIR/conf/hdfs-classpath.txt" || "$ROOT/deploy/local/hdfs-daemons.pom.xml" -nt "$DIR/conf/hdfs-classpath.txt" ]]; then
  say "resolving the HDFS daemons' jars (deploy/local/hdfs-daemons.pom.xml) ..."
  (cd "$ROOT" && mvn -B -q -Dstyle.color=never -f deploy/local/hdfs-daemons.pom.xml dependency:build-classpath \
    -Dmdep.outputFile="$DIR/conf/hdfs-classpath.txt") >&2
fi
HDFS_CP="$(cat "$DIR/conf/hdfs-classpath.txt")"
# A Worker builds its executors' command line from SPARK_HOME: jars/ as in a Spark distribution,
# here links to the jars Maven resolved (Spark, Hadoop, Scala, DL4J). The project's own modules stay
# out: the executors load them from the application's job jar, as on a real cluster.
rm -rf "$DIR/spark-home"
mkdir -p "$DIR/spark-home/jars" "$DIR/spark-home/conf"
tr ':' '\n' < "$TARGET/classpath.txt" | grep -v "^$ROOT/" | while read -r jar; do
  ln -sf "$jar" "$DIR/spark-home/jars/$(basename "$jar")"
done

# --- Spark's secret: one for the Master, the Workers and the applications --------------------------
umask 077
SECRET="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
cat > "$DIR/conf/spark-daemons.properties" <<EOF
spark.authenticate true
spark.network.crypto.enabled true
spark.network.crypto.saslFallback false
spark.authenticate.secret $SECRET
EOF
cat > "$DIR/conf/application.properties" <<EOF
spark.authenticate.secret $SECRET
spark.driver.host $CENTRAL
spark.driver.bindAddress $CENTRAL
EOF
umask 022


# --- the hosts ---------------------------------------------------------------------------------------
if ((HOSTS > 0)); then
  add_bridge write_env
  for i in $(seq 1 "$HOSTS"); do
    add_host "$i" write_env
    if [[ -n "$CPUS_PER_HOST" ]]; then
      add_cpu_cgroup "$NAME-h$i" "$CPUS_PER_HOST"
      write_env
      HOST_CGROUP[$i]="$CGROUP_DIR"
    fi
  done
  say "$HOSTS hosts: $(worker_hosts)(bridge $BRIDGE at $SUBNET.1${RATE:+, links limited to $RATE each way}${MTU:+, MTU $MTU}${CPUS_PER_HOST:+, $CPUS_PER_HOST cores each})"
fi

# --- HDFS ------------------------------------------------------------------------------------------
# One configuration folder per daemon, first on its classpath.
hadoop_conf() { # folder, then name=value pairs for hdfs-site.xml
  local conf="$1"
  shift
  mkdir -p "$conf"
  cat > "$conf/core-site.xml" <<XML
<?xml version="1.0"?>
<configuration>
  <property><name>fs.defaultFS</name><value>hdfs://$CENTRAL:$NN_PORT</value></property>
</configuration>
XML
  {
    echo '<?xml version="1.0"?>'
    echo '<configuration>'
    echo "  <property><name>dfs.replication</name><value>$REPLICATION</value></property>"
    for kv in "$@"; do echo "  <property><name>${kv%%=*}</name><value>${kv#*=}</value></property>"; done
    echo '</configuration>'
  } > "$conf/hdfs-site.xml"
  cat > "$conf/log4j.properties" <<PROPS
log4j.rootLogger=INFO,console
log4j.appender.console=org.apache.log4j.ConsoleAppender
log4j.appender.console.layout=org.apache.log4j.PatternLayout
log4j.appender.console.layout.ConversionPattern=%d{ISO8601} %p %c{2}: %m%n
PROPS
}
rm -rf "$DIR/data" && mkdir -p "$DIR/data"
hadoop_conf "$DIR/conf/hadoop-nn" "dfs.namenode.name.dir=$DIR/data/nn" \
  "dfs.namenode.rpc-address=$CENTRAL:$NN_PORT" "dfs.namenode.http-address=$CENTRAL:$NN_HTTP" \
  "dfs.namenode.safemode.extension=0" "dfs.namenode.datanode.registration.ip-hostname-check=false"
# The clients' view (status.sh's DFSAdmin, the tests): the NameNode's address only.
hadoop_conf "$DIR/conf/hadoop-client"
java -Xmx256m -cp "$DIR/conf/hadoop-nn:$HDFS_CP" org.apache.hadoop.hdfs.server.namenode.NameNode \
  -format -force -nonInteractive -clusterid "$NAME-local" > "$DIR/logs/namenode-format.log" 2>&1 \
  || { tail -n 20 "$DIR/logs/namenode-format.log" >&2; false; }
start_daemon namenode "" "" java -Xmx512m -cp "$DIR/conf/hadoop-nn:$HDFS_CP" org.apache.hadoop.hdfs.server.namenode.NameNode
await_log namenode "IPC Server listener on $NN_PORT" 120
for i in $(seq 1 "$WORKERS"); do
  host="$(worker_hosts | cut -d' ' -f"$i")"
  ns=""; ((HOSTS > 0)) && ns="$NAME-h$i"
  hadoop_conf "$DIR/conf/hadoop-dn$i" "dfs.datanode.data.dir=$DIR/data/dn$i" \
    "dfs.datanode.address=$host:$DN_PORT" "dfs.datanode.http.address=$host:$DN_HTTP" "dfs.datanode.ipc.address=$host:$DN_IPC"
  start_daemon "datanode$i" "$ns" "${HOST_CGROUP[$i]:-}" java -Xmx384m -cp "$DIR/conf/hadoop-dn$i:$HDFS_CP" org.apache.hadoop.hdfs.server.datanode.DataNode
done
for i in $(seq 1 "$WORKERS"); do await_log "datanode$i" "Successfully sent block report" 120; done
say "HDFS: hdfs://$CENTRAL:$NN_PORT, $WORKERS DataNode(s), replication $REPLICATION"

# --- Spark standalone ------------------------------------------------------------------------------
SPARK_CP="$(tr ':' '\n' < "$TARGET/classpath.txt" | grep -v "^$ROOT/" | paste -sd:)"
spark_env() { # host: what a Spark daemon (and the executors a Worker starts) needs in its environment
  echo SPARK_HOME="$DIR/spark-home" SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP="$1" SPARK_LOCAL_HOSTNAME="$1"
}
# shellcheck disable=SC2046
start_daemon master "" "" env $(spark_env "$CENTRAL") java @"$ROOT/conf/jvm.options" -Xmx512m -cp "$SPARK_CP" \
  org.apache.spark.deploy.master.Master --host "$CENTRAL" --port "$MASTER_PORT" --webui-port "$MASTER_UI" \
  --properties-file "$DIR/conf/spark-daemons.properties"
await_log master "I have been elected leader" 120
for i in $(seq 1 "$WORKERS"); do
  host="$(worker_hosts | cut -d' ' -f"$i")"
  ns=""; ((HOSTS > 0)) && ns="$NAME-h$i"
  mkdir -p "$DIR/work/worker$i"
  # shellcheck disable=SC2046
  start_daemon "worker$i" "$ns" "${HOST_CGROUP[$i]:-}" env $(spark_env "$host") java @"$ROOT/conf/jvm.options" -Xmx512m -cp "$SPARK_CP" \
    org.apache.spark.deploy.worker.Worker --host "$host" --port "$WORKER_PORT" --webui-port "$((WORKER_UI + (HOSTS > 0 ? 0 : i - 1)))" \
    --cores "$WORKER_CORES" --memory "$WORKER_MEMORY" --work-dir "$DIR/work/worker$i" \
    --properties-file "$DIR/conf/spark-daemons.properties" "spark://$CENTRAL:$MASTER_PORT"
done
for i in $(seq 1 "$WORKERS"); do await_log "worker$i" "Successfully registered with master" 120; done
write_env
trap - ERR INT TERM

cat <<MSG
The cluster is up ($DIR):
  HDFS          hdfs://$CENTRAL:$NN_PORT   (NameNode UI http://$CENTRAL:$NN_HTTP)
  Spark master  spark://$CENTRAL:$MASTER_PORT   (UI http://$CENTRAL:$MASTER_UI), $WORKERS Worker(s) x $WORKER_CORES core(s), $WORKER_MEMORY
  hosts         $(worker_hosts)${RATE:+ (links: $RATE each way)}
Submit to it:   deploy/local/submit.sh -- train --config conf/demo.conf --set job.data=hdfs://$CENTRAL:$NN_PORT/... 
The demo job:   deploy/local/demo.sh --dir $DIR
See it:         deploy/local/status.sh --dir $DIR
Stop it:        deploy/local/down.sh --dir $DIR
MSG
