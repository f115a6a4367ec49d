#!/usr/bin/env bash
# Train AlexNet on Kubernetes (k8s://, cluster deploy mode): the driver and the executors run in
# pods of the image built from the Dockerfile beside this file, one replica and one GPU per
# executor pod.
#
#   deploy/cluster/kubernetes/submit-train.sh [more train options, e.g. --resume or --set k=v]
#   REPLICAS=4 IMAGE=registry.example.org/alexnet-spark:0.1.0-cuda deploy/cluster/kubernetes/submit-train.sh
#
# Needs on this host: SPARK_HOME, a Spark 3.5 distribution (with its Kubernetes support; the Maven
# jars deploy/bin/submit falls back to have none), and kubectl when CONFIG is set or
# APPLY_NETWORK_POLICY=1. In the namespace: a service account the driver may create pods, services
# and configmaps with (SERVICE_ACCOUNT), NVIDIA's device plugin on the GPU nodes, and a CNI that
# enforces NetworkPolicy.
#
# Not through deploy/bin/submit: that script submits a jar file of this host, which Kubernetes
# would have to upload somewhere (spark.kubernetes.file.upload.path) on every run, while the jar
# is already in the image (local://). The properties it builds are built the same way here:
# conf/spark-defaults.conf plus conf/jvm.options as spark.{driver,executor}.defaultJavaOptions.
#
# Spark's shared secret needs nothing here: on Kubernetes the driver generates one per application
# and gives it to the executor pods in an environment variable (whoever may read pod specs in the
# namespace can read it; README.md in this folder says how to use a Kubernetes Secret instead).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"

# ------------------------------------------------------------------ edit these ------------------
MASTER="${MASTER:-k8s://https://kubernetes.example.org:6443}"
NAMESPACE="${NAMESPACE:-alexnet}"
SERVICE_ACCOUNT="${SERVICE_ACCOUNT:-spark}"
# The image built from deploy/cluster/kubernetes/Dockerfile (--target gpu, or cpu with GPUS=0).
IMAGE="${IMAGE:-registry.example.org/alexnet-spark:0.1.0-cuda}"
# The label network-policy.yaml selects; one value per job running at the same time.
JOB_LABEL="${JOB_LABEL:-alexnet-train}"
# The ConfigMap holding CONFIG; driver-pod-template.yaml mounts this name.
CONFIG_MAP="${CONFIG_MAP:-alexnet-train-config}"
APPLY_NETWORK_POLICY="${APPLY_NETWORK_POLICY:-1}"
HDFS="${HDFS:-hdfs://namenode:8020}"
# Replicas = executor pods = GPUs used. The global batch is REPLICAS x 128.
REPLICAS="${REPLICAS:-8}"
# An ingested dataset root (the folder holding manifest.json that `alexnet-spark ingest` wrote).
DATA="${DATA:-$HDFS/datasets/imagenet}"
# The run's folder. A fresh run refuses a folder that holds another run: pass --resume to continue.
OUTPUT="${OUTPUT:-$HDFS/runs/alexnet-r1}"
# Optional HOCON file on this host; it reaches the driver pod as a ConfigMap.
CONFIG="${CONFIG:-}"
# 1: one GPU per replica (the gpu image); 0: CPU executors (the cpu image).
GPUS="${GPUS:-1}"
# GPUs for the driver pod: the CUDA image holds ND4J's CUDA backend only, and the driver loads ND4J
# (it builds the network and writes the checkpoints), so it needs a GPU of its own.
DRIVER_GPUS="${DRIVER_GPUS:-1}"
EXECUTOR_CORES="${EXECUTOR_CORES:-8}"
DRIVER_CORES="${DRIVER_CORES:-4}"
DECODE_WORKERS="${DECODE_WORKERS:-$(( EXECUTOR_CORES > 3 ? EXECUTOR_CORES - 2 : 1 ))}"
# -------------------------------------------------------------------------------------------------

# Where the Dockerfile puts things in the image (validate.sh checks that these agree with it).
IMAGE_JOB_JAR="local:///opt/alexnet/alexnet-trainer-job.jar"
IMAGE_GPU_DISCOVERY="/opt/alexnet/discover-gpus.sh"
# Where driver-pod-template.yaml mounts the ConfigMap.
IMAGE_JOB_CONF_DIR="/opt/alexnet/job-conf"

# Memory (the sizing and why) and the parameter server's placement: deploy/cluster/common.sh,
# shared with standalone and YARN (its DRIVER_PORT, BLOCK_MANAGER_PORT and PORT_MAX_RETRIES are not
# used here: the ports are fixed below, as network-policy.yaml names them). On Kubernetes an
# executor pod's memory limit is heap 8g + spark.executor.memoryOverhead 12g = 20 GiB, and the
# memory-backed /dev/shm of the pod template (4Gi, Aeron's term buffers) is charged to the same
# limit: 6-10 GB + up to 4 GB fits in 12g; the JavaCPP limits stay below the pod's limit. The
# driver pod: 8g + 8g, its template's /dev/shm 2Gi included. The executor pod template's /dev/shm
# is sized for up to 8 replicas with placement=executors.
source "$ROOT/deploy/cluster/common.sh"
# The spark user's home is /nonexistent in the image: unpack ND4J's native libraries into /tmp, an
# emptyDir of the pod templates.
JAVACPP_CACHE="-Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp"

if [[ -z "${SPARK_HOME:-}" || ! -x "$SPARK_HOME/bin/spark-submit" ]]; then
  echo "submit-train: set SPARK_HOME to a Spark 3.5 distribution (with Kubernetes support)" >&2; exit 2
fi
if [[ -n "$CONFIG" || "$APPLY_NETWORK_POLICY" == 1 ]] && ! command -v kubectl >/dev/null 2>&1; then
  echo "submit-train: kubectl is needed for CONFIG and APPLY_NETWORK_POLICY=1" >&2; exit 2
fi

# The NetworkPolicy first, so that the pods are covered from their start.
if [[ "$APPLY_NETWORK_POLICY" == 1 ]]; then
  sed -e "s/alexnet-spark-job: alexnet-train\$/alexnet-spark-job: $JOB_LABEL/" \
      -e "s/^  name: alexnet-train-ps\$/  name: $JOB_LABEL-ps/" \
      "$HERE/network-policy.yaml" | kubectl -n "$NAMESPACE" apply -f -
fi

CONFIG_ARGS=()
if [[ -n "$CONFIG" ]]; then
  [[ -f "$CONFIG" ]] || { echo "submit-train: CONFIG $CONFIG is not a file" >&2; exit 2; }
  # Created or replaced; the driver pod mounts it read-only at $IMAGE_JOB_CONF_DIR.
  kubectl -n "$NAMESPACE" create configmap "$CONFIG_MAP" --from-file=job.conf="$CONFIG" \
    --dry-run=client -o yaml | kubectl -n "$NAMESPACE" apply -f -
  CONFIG_ARGS=(--config "$IMAGE_JOB_CONF_DIR/job.conf")
fi

if [[ "$GPUS" != 1 ]] && grep -q '^[^#]*nvidia\.com/gpu:' "$HERE/executor-pod-template.yaml"; then
  # The template would still ask every executor pod for a GPU, which a CPU node cannot give.
  echo "submit-train: GPUS=$GPUS, but executor-pod-template.yaml requests nvidia.com/gpu: delete those lines for the CPU image" >&2
  exit 2
fi

GPU_CONF=()
if [[ "$GPUS" == 1 ]]; then
  # On Kubernetes a resource needs its vendor: Spark then sets the nvidia.com/gpu limit of the pod
  # (the executor template says the same), and the executor runs the image's discovery script,
  # which sees only the pod's GPU (the device plugin exposes that one, as index 0).
  GPU_CONF=(
    --conf spark.executor.resource.gpu.amount=1
    --conf spark.executor.resource.gpu.vendor=nvidia.com
    --conf "spark.executor.resource.gpu.discoveryScript=$IMAGE_GPU_DISCOVERY"
    --conf spark.task.resource.gpu.amount=1
  )
  if [[ "$DRIVER_GPUS" != 0 ]]; then
    GPU_CONF+=(
      --conf "spark.driver.resource.gpu.amount=$DRIVER_GPUS"
      --conf spark.driver.resource.gpu.vendor=nvidia.com
      --conf "spark.driver.resource.gpu.discoveryScript=$IMAGE_GPU_DISCOVERY"
    )
  fi
fi

# The same properties deploy/bin/submit hands spark-submit: conf/spark-defaults.conf (authentication
# and encryption on) and the JVM flags of conf/jvm.options.
JVM_OPTS="$(grep -v '^[[:space:]]*\(#\|$\)' "$ROOT/conf/jvm.options" | paste -sd' ')"
PROPS="$(mktemp "${TMPDIR:-/tmp}/alexnet-spark-k8s.XXXXXX")"
trap 'rm -f "$PROPS"' EXIT
{
  cat "$ROOT/conf/spark-defaults.conf"
  echo
  echo "spark.driver.defaultJavaOptions    $JVM_OPTS"
  echo "spark.executor.defaultJavaOptions  $JVM_OPTS"
} > "$PROPS"

# Why the less obvious settings below:
#   spark.task.cpus = executor cores: one task per executor, so one replica per executor (and GPU).
#   ports 7078/7079 fixed for driver and executors: network-policy.yaml names them.
#   spark.dynamicAllocation.enabled=false: barrier stages (one per epoch) refuse dynamic allocation.
#   spark.scheduler.minRegisteredResourcesRatio=1.0 (+ 15 min): start only once every executor
#     pod has registered (pulling a CUDA image takes minutes); otherwise the first epoch may find
#     fewer task slots than replicas and give up after job.recovery.slot-wait (2 min).
#   the alexnet-spark-job label: what network-policy.yaml selects.
# ${array[@]+"${array[@]}"}: an empty array under set -u, also on bash < 4.4.
train_args
"$SPARK_HOME/bin/spark-submit" \
  --master "$MASTER" --deploy-mode cluster \
  --name "$JOB_LABEL" \
  --class io.alexnetspark.cli.AlexNetCli \
  --properties-file "$PROPS" \
  --conf "spark.kubernetes.namespace=$NAMESPACE" \
  --conf "spark.kubernetes.authenticate.driver.serviceAccountName=$SERVICE_ACCOUNT" \
  --conf "spark.kubernetes.container.image=$IMAGE" \
  --conf spark.kubernetes.container.image.pullPolicy=IfNotPresent \
  --conf "spark.kubernetes.driver.podTemplateFile=$HERE/driver-pod-template.yaml" \
  --conf "spark.kubernetes.executor.podTemplateFile=$HERE/executor-pod-template.yaml" \
  --conf spark.kubernetes.driver.podTemplateContainerName=spark-kubernetes-driver \
  --conf spark.kubernetes.executor.podTemplateContainerName=spark-kubernetes-executor \
  --conf "spark.kubernetes.driver.label.alexnet-spark-job=$JOB_LABEL" \
  --conf "spark.kubernetes.executor.label.alexnet-spark-job=$JOB_LABEL" \
  --conf "spark.executor.instances=$REPLICAS" \
  --conf "spark.executor.cores=$EXECUTOR_CORES" \
  --conf "spark.task.cpus=$EXECUTOR_CORES" \
  --conf "spark.driver.cores=$DRIVER_CORES" \
  --conf "spark.executor.memory=$EXECUTOR_MEMORY" \
  --conf "spark.executor.memoryOverhead=$EXECUTOR_OVERHEAD" \
  --conf "spark.driver.memory=$DRIVER_MEMORY" \
  --conf "spark.driver.memoryOverhead=$DRIVER_OVERHEAD" \
  --conf "spark.executor.extraJavaOptions=$JAVACPP_CACHE -Dorg.bytedeco.javacpp.maxbytes=$ND4J_MAXBYTES -Dorg.bytedeco.javacpp.maxphysicalbytes=$ND4J_MAXPHYSICALBYTES" \
  --conf "spark.driver.extraJavaOptions=$JAVACPP_CACHE -Dorg.bytedeco.javacpp.maxbytes=$ND4J_MAXBYTES -Dorg.bytedeco.javacpp.maxphysicalbytes=$DRIVER_ND4J_MAXPHYSICALBYTES" \
  --conf spark.driver.port=7078 \
  --conf spark.driver.blockManager.port=7079 \
  --conf spark.blockManager.port=7079 \
  --conf spark.dynamicAllocation.enabled=false \
  --conf spark.scheduler.minRegisteredResourcesRatio=1.0 \
  --conf spark.scheduler.maxRegisteredResourcesWaitingTime=15min \
  ${GPU_CONF[@]+"${GPU_CONF[@]}"} \
  "$IMAGE_JOB_JAR" \
  "${TRAIN_ARGS[@]}" "$@"
