#!/usr/bin/env bash
# Train AlexNet on a Spark standalone cluster (spark://), one replica per executor and, with
# GPUS=1, one GPU per executor. Goes through deploy/bin/submit, so conf/spark-defaults.conf
# (authentication and encryption on) and conf/jvm.options apply as everywhere else.
#
#   deploy/cluster/standalone/submit-train.sh [more train options, e.g. --resume or --set k=v]
#   REPLICAS=4 OUTPUT=hdfs://namenode:8020/runs/r2 deploy/cluster/standalone/submit-train.sh
#
# Client deploy mode: the driver runs on this host. With GPUS=1 the job jar is the CUDA build,
# which holds ND4J's CUDA backend only, and the driver loads ND4J too (it builds the network and
# writes the checkpoints): submit from a host with a supported GPU and CUDA 11.6 + cuDNN 8 (a
# worker node will do; the driver's ND4J then shares that host's GPU 0 with a replica).
#
# Before the first run (see deploy/cluster/README.md):
#   - the daemons: spark-defaults.daemons.conf and spark-env.snippet.sh beside this file, on the
#     Master and every Worker;
#   - the application's copy of the cluster secret, owner-only, off the command line:
#       umask 077; mkdir -p ~/.alexnet-spark
#       echo "spark.authenticate.secret <the daemons' secret>" > ~/.alexnet-spark/secret.properties
#   - the ports of deploy/cluster/firewall.md open between the hosts.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"

# ------------------------------------------------------------------ edit these ------------------
MASTER="${MASTER:-spark://spark-master.example.org:7077}"
HDFS="${HDFS:-hdfs://namenode:8020}"
# Replicas = executors = GPUs used. The global batch is REPLICAS x training.batch-size (128).
REPLICAS="${REPLICAS:-8}"
# An ingested dataset root (the folder holding manifest.json that `alexnet-spark ingest` wrote).
DATA="${DATA:-$HDFS/datasets/imagenet}"
# The run's folder. A fresh run refuses a folder that holds another run: pass --resume to continue.
OUTPUT="${OUTPUT:-$HDFS/runs/alexnet-r1}"
# Optional HOCON file with your keys (read here, by the driver); empty: defaults + the --set below.
CONFIG="${CONFIG:-}"
# The application's copy of the cluster's spark.authenticate.secret (chmod 600; see above).
SECRET_FILE="${SECRET_FILE:-$HOME/.alexnet-spark/secret.properties}"
# 1: one GPU per replica with the CUDA job jar; 0: CPU executors with the CPU job jar.
GPUS="${GPUS:-1}"
# Where deploy/gpu/discover-gpus.sh is on every worker (standalone ships nothing to the nodes).
GPU_DISCOVERY_SCRIPT="${GPU_DISCOVERY_SCRIPT:-/opt/alexnet-spark/deploy/gpu/discover-gpus.sh}"
# The address the executors reach this host (the driver, and the parameter server with
# placement=driver) on. Spark's guess can be a loopback or an unroutable interface.
DRIVER_HOST="${DRIVER_HOST:-$(hostname -f 2>/dev/null || hostname)}"
# Cores per executor: the replica's ND4J threads plus its JPEG decoders (DECODE_WORKERS). With
# GPUS=1 give each executor about (worker cores / worker GPUs).
EXECUTOR_CORES="${EXECUTOR_CORES:-8}"
DECODE_WORKERS="${DECODE_WORKERS:-$(( EXECUTOR_CORES > 3 ? EXECUTOR_CORES - 2 : 1 ))}"
# -------------------------------------------------------------------------------------------------

# Memory (the sizing and why), the parameter server's placement and the fixed ports:
# deploy/cluster/common.sh, shared with YARN and Kubernetes. Standalone does not enforce
# memoryOverhead (it is YARN's and Kubernetes' container size); a Worker counts only the heap
# against SPARK_WORKER_MEMORY. Leave the rest free on each worker: (8g + 12g) per GPU. It is passed
# anyway, so that the sizing reads the same on every platform.
source "$ROOT/deploy/cluster/common.sh"

# The cluster secret: the same spark.authenticate.secret as the Master's and Workers'. Standalone
# reads it from the configuration only, so it travels in a properties file deploy/bin/submit adds
# last, never on the command line (which every user of this host can read).
if [[ ! -f "$SECRET_FILE" ]]; then
  echo "submit-train: no $SECRET_FILE: write the cluster's secret there (see the top of $0)" >&2; exit 2
fi
if [[ -n "$(find "$SECRET_FILE" -perm /077)" ]]; then
  echo "submit-train: $SECRET_FILE can be read by others than you: chmod 600 it" >&2; exit 2
fi
if ! grep -q '^[[:space:]]*spark\.authenticate\.secret[[:space:]=]' "$SECRET_FILE" || grep -q 'CHANGE-ME' "$SECRET_FILE"; then
  echo "submit-train: $SECRET_FILE must hold one line 'spark.authenticate.secret <the daemons' secret>'" >&2; exit 2
fi
export ALEXNET_SPARK_PROPERTIES="$SECRET_FILE"

GPU_CONF=()
if [[ "$GPUS" == 1 ]]; then
  # The CUDA build, never the CPU one deploy/bin/submit would otherwise pick (or build).
  JOB_JAR="${JOB_JAR:-$(ls "$ROOT"/modules/trainer/target-cuda/alexnet-trainer-*-job.jar 2>/dev/null | head -n 1 || true)}"
  if [[ -z "$JOB_JAR" || ! -f "$JOB_JAR" ]]; then
    echo "submit-train: no CUDA job jar: build it with 'mvn -Pcuda -DskipTests package' (or set JOB_JAR)" >&2; exit 2
  fi
  export JOB_JAR
  # One GPU per executor and per task: one replica per GPU. The Worker hands each executor the
  # address it assigned; each replica pins ND4J to it (TaskContext.resources(), DevicePinning).
  GPU_CONF=(
    --conf spark.executor.resource.gpu.amount=1
    --conf spark.task.resource.gpu.amount=1
    --conf "spark.executor.resource.gpu.discoveryScript=$GPU_DISCOVERY_SCRIPT"
  )
fi

# Without SPARK_HOME, deploy/bin/submit runs SparkSubmit in its own JVM, which is the driver:
# --driver-memory cannot size a JVM that already runs, so give it the heap here.
export ALEXNET_JAVA_OPTS="${ALEXNET_JAVA_OPTS:--Xmx$DRIVER_MEMORY}"

# ${array[@]+"${array[@]}"} below: an empty array under set -u, also on bash < 4.4.
CONFIG_ARGS=()
if [[ -n "$CONFIG" ]]; then
  [[ -f "$CONFIG" ]] || { echo "submit-train: CONFIG $CONFIG is not a file" >&2; exit 2; }
  CONFIG_ARGS=(--config "$CONFIG")
fi

# Why the less obvious settings below:
#   spark.task.cpus = executor cores: one task per executor, so one replica per executor (and GPU).
#   spark.dynamicAllocation.enabled=false: barrier stages (one per epoch) refuse dynamic allocation,
#     and some clusters turn it on by default.
#   spark.scheduler.minRegisteredResourcesRatio=1.0 (+ the waiting time): start only once every
#     executor has registered; otherwise the first epoch may find fewer task slots than replicas and
#     give up after job.recovery.slot-wait (2 min), e.g. while slow nodes are still starting.
train_args
exec "$ROOT/deploy/bin/submit" \
  --master "$MASTER" --deploy-mode client \
  --driver-memory "$DRIVER_MEMORY" \
  --executor-memory "$EXECUTOR_MEMORY" \
  --executor-cores "$EXECUTOR_CORES" \
  --conf "spark.cores.max=$((REPLICAS * EXECUTOR_CORES))" \
  --conf "spark.executor.memoryOverhead=$EXECUTOR_OVERHEAD" \
  --conf "spark.task.cpus=$EXECUTOR_CORES" \
  --conf "spark.executor.extraJavaOptions=-Dorg.bytedeco.javacpp.maxbytes=$ND4J_MAXBYTES -Dorg.bytedeco.javacpp.maxphysicalbytes=$ND4J_MAXPHYSICALBYTES" \
  --conf spark.dynamicAllocation.enabled=false \
  --conf spark.scheduler.minRegisteredResourcesRatio=1.0 \
  --conf spark.scheduler.maxRegisteredResourcesWaitingTime=5min \
  --conf "spark.driver.host=$DRIVER_HOST" \
  --conf "spark.driver.port=$DRIVER_PORT" \
  --conf "spark.blockManager.port=$BLOCK_MANAGER_PORT" \
  --conf "spark.port.maxRetries=$PORT_MAX_RETRIES" \
  ${GPU_CONF[@]+"${GPU_CONF[@]}"} \
  -- "${TRAIN_ARGS[@]}" "$@"
