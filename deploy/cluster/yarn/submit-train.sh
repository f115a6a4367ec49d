#!/usr/bin/env bash
# Train AlexNet on YARN (--master yarn --deploy-mode cluster): the driver runs in the application
# master's container on a NodeManager, one replica per executor container and, with GPUS=1, one
# GPU (yarn.io/gpu) per executor. Goes through deploy/bin/submit, so conf/spark-defaults.conf
# (authentication and encryption on) and conf/jvm.options apply as everywhere else.
#
#   deploy/cluster/yarn/submit-train.sh [more train options, e.g. --resume or --set k=v]
#   REPLICAS=4 QUEUE=gpu deploy/cluster/yarn/submit-train.sh
#
# Needs on this host: SPARK_HOME, a Spark 3.5 distribution for Hadoop 3 (the Maven jars
# deploy/bin/submit falls back to have no YARN support), and HADOOP_CONF_DIR with the cluster's
# yarn-site.xml and core-site.xml. On the cluster: GPU scheduling in YARN (yarn-gpu-snippets.xml
# beside this file) and the ports of deploy/cluster/firewall.md.
#
# Spark's shared secret needs nothing here: on YARN the driver generates one per application and
# hands it to the executors with the application's credentials.
#
# spark-submit reads one properties file and deploy/bin/submit gives it its own, so the cluster's
# $SPARK_CONF_DIR/spark-defaults.conf is NOT read. Put what you need from it (spark.yarn.archive or
# spark.yarn.jars, spark.eventLog.*, spark.yarn.historyServer.address, ...) into a file named by
# CLUSTER_PROPERTIES; deploy/bin/submit adds it last (as ALEXNET_SPARK_PROPERTIES).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"

# ------------------------------------------------------------------ edit these ------------------
MASTER="${MASTER:-yarn}"
QUEUE="${QUEUE:-default}"
HDFS="${HDFS:-hdfs://namenode:8020}"
# Replicas = executor containers = GPUs used. The global batch is REPLICAS x 128.
REPLICAS="${REPLICAS:-8}"
# An ingested dataset root (the folder holding manifest.json that `alexnet-spark ingest` wrote).
DATA="${DATA:-$HDFS/datasets/imagenet}"
# The run's folder. A fresh run refuses a folder that holds another run: pass --resume to continue.
OUTPUT="${OUTPUT:-$HDFS/runs/alexnet-r1}"
# Optional HOCON file on this host; shipped to the driver's container with --files.
CONFIG="${CONFIG:-}"
# Optional properties file with the cluster's own Spark settings (see above).
CLUSTER_PROPERTIES="${CLUSTER_PROPERTIES:-}"
# 1: one GPU per replica with the CUDA job jar; 0: CPU executors with the CPU job jar.
GPUS="${GPUS:-1}"
# GPUs for the driver's container. The CUDA job jar holds ND4J's CUDA backend only and the
# driver loads ND4J (it builds the network and writes the checkpoints); under YARN's GPU
# isolation a container sees only the GPUs it was given, so the driver needs one. 0 only if your
# NodeManagers do not isolate GPUs (the driver then shares GPU 0 of its node).
DRIVER_GPUS="${DRIVER_GPUS:-1}"
# CUDA 11.6 and cuDNN 8 on the NodeManagers (libcudart.so.11, libcublas.so.11, libcusolver.so.11,
# libcudnn.so.8), prepended to the containers' library path.
CUDA_LIB_PATH="${CUDA_LIB_PATH:-/usr/local/cuda-11.6/lib64}"
EXECUTOR_CORES="${EXECUTOR_CORES:-8}"
DECODE_WORKERS="${DECODE_WORKERS:-$(( EXECUTOR_CORES > 3 ? EXECUTOR_CORES - 2 : 1 ))}"
# -------------------------------------------------------------------------------------------------

# Memory (the sizing and why), the parameter server's placement and the fixed ports:
# deploy/cluster/common.sh, shared with standalone and Kubernetes. On YARN an executor's container
# is heap 8g + spark.executor.memoryOverhead 12g = 20g, the driver's 8g + 8g
# (yarn.scheduler.maximum-allocation-mb must allow both). YARN kills a container whose processes'
# memory passes its size ("running beyond physical memory limits"): that is the figure to raise,
# and the JavaCPP limits stay below it. (spark.yarn.executor.memoryOverhead and
# spark.yarn.driver.memoryOverhead are the deprecated names of the two overheads.) The fixed ports:
# the driver runs on whichever NodeManager YARN picks, so every NodeManager needs them open.
source "$ROOT/deploy/cluster/common.sh"

if [[ -z "${SPARK_HOME:-}" || ! -x "$SPARK_HOME/bin/spark-submit" ]]; then
  echo "submit-train: set SPARK_HOME to a Spark 3.5 distribution with YARN support" >&2; exit 2
fi
if [[ -z "${HADOOP_CONF_DIR:-}${YARN_CONF_DIR:-}" ]]; then
  echo "submit-train: set HADOOP_CONF_DIR to the cluster's Hadoop configuration" >&2; exit 2
fi
if [[ -n "$CLUSTER_PROPERTIES" ]]; then
  export ALEXNET_SPARK_PROPERTIES="$CLUSTER_PROPERTIES"
fi

# Files for the containers' working directories: the GPU discovery script (YARN does not tell
# Spark which GPU it gave a container; the executor runs the script to find out) and the config.
FILES=()
GPU_CONF=()
if [[ "$GPUS" == 1 ]]; then
  JOB_JAR="${JOB_JAR:-$(ls "$ROOT"/modules/trainer/target-cuda/alexnet-trainer-*-job.jar 2>/dev/null | head -n 1 || true)}"
  if [[ -z "$JOB_JAR" || ! -f "$JOB_JAR" ]]; then
    echo "submit-train: no CUDA job jar: build it with 'mvn -Pcuda -DskipTests package' (or set JOB_JAR)" >&2; exit 2
  fi
  export JOB_JAR
  FILES+=("$ROOT/deploy/gpu/discover-gpus.sh")
  # Spark 3 asks YARN for yarn.io/gpu itself (spark.yarn.resourceGpuDeviceName); do not also set
  # spark.yarn.executor.resource.yarn.io/gpu.amount. YARN localizes --files executable (0500).
  GPU_CONF=(
    --conf spark.executor.resource.gpu.amount=1
    --conf spark.task.resource.gpu.amount=1
    --conf spark.executor.resource.gpu.discoveryScript=./discover-gpus.sh
    --conf "spark.executor.extraLibraryPath=$CUDA_LIB_PATH"
    --conf "spark.driver.extraLibraryPath=$CUDA_LIB_PATH"
  )
  if [[ "$DRIVER_GPUS" != 0 ]]; then
    GPU_CONF+=(
      --conf "spark.driver.resource.gpu.amount=$DRIVER_GPUS"
      --conf spark.driver.resource.gpu.discoveryScript=./discover-gpus.sh
    )
  fi
fi

CONFIG_ARGS=()
if [[ -n "$CONFIG" ]]; then
  [[ -f "$CONFIG" ]] || { echo "submit-train: CONFIG $CONFIG is not a file" >&2; exit 2; }
  FILES+=("$CONFIG")
  # The driver runs in its container's working directory, where YARN puts --files by base name.
  CONFIG_ARGS=(--config "$(basename "$CONFIG")")
fi
FILES_ARGS=()
if (( ${#FILES[@]} > 0 )); then
  FILES_ARGS=(--files "$(IFS=,; echo "${FILES[*]}")")
fi

# Why the less obvious settings below:
#   spark.task.cpus = executor cores: one task per executor, so one replica per executor (and GPU).
#   spark.dynamicAllocation.enabled=false: barrier stages (one per epoch) refuse dynamic allocation,
#     and some clusters turn it on by default.
#   spark.scheduler.minRegisteredResourcesRatio=1.0 (+ the waiting time): start only once every
#     executor has registered; otherwise the first epoch may find fewer task slots than replicas and
#     give up after job.recovery.slot-wait (2 min), e.g. while slow nodes are still starting.
#   spark.yarn.maxAppAttempts=1: a second attempt would start `train` afresh into an OUTPUT that
#     already holds this run, which the job refuses; continue a failed run with --resume instead.
# ${array[@]+"${array[@]}"} below: an empty array under set -u, also on bash < 4.4.
train_args
exec "$ROOT/deploy/bin/submit" \
  --master "$MASTER" --deploy-mode cluster \
  --queue "$QUEUE" \
  --name "alexnet-train" \
  --num-executors "$REPLICAS" \
  --executor-cores "$EXECUTOR_CORES" \
  --executor-memory "$EXECUTOR_MEMORY" \
  --driver-memory "$DRIVER_MEMORY" \
  --conf "spark.executor.memoryOverhead=$EXECUTOR_OVERHEAD" \
  --conf "spark.driver.memoryOverhead=$DRIVER_OVERHEAD" \
  --conf "spark.task.cpus=$EXECUTOR_CORES" \
  --conf "spark.executor.extraJavaOptions=-Dorg.bytedeco.javacpp.maxbytes=$ND4J_MAXBYTES -Dorg.bytedeco.javacpp.maxphysicalbytes=$ND4J_MAXPHYSICALBYTES" \
  --conf "spark.driver.extraJavaOptions=-Dorg.bytedeco.javacpp.maxbytes=$ND4J_MAXBYTES -Dorg.bytedeco.javacpp.maxphysicalbytes=$DRIVER_ND4J_MAXPHYSICALBYTES" \
  --conf spark.dynamicAllocation.enabled=false \
  --conf spark.scheduler.minRegisteredResourcesRatio=1.0 \
  --conf spark.scheduler.maxRegisteredResourcesWaitingTime=10min \
  --conf spark.yarn.maxAppAttempts=1 \
  --conf "spark.driver.port=$DRIVER_PORT" \
  --conf "spark.blockManager.port=$BLOCK_MANAGER_PORT" \
  --conf "spark.port.maxRetries=$PORT_MAX_RETRIES" \
  ${GPU_CONF[@]+"${GPU_CONF[@]}"} \
  ${FILES_ARGS[@]+"${FILES_ARGS[@]}"} \
  -- "${TRAIN_ARGS[@]}" "$@"
