#!/usr/bin/env bash
# Spark GPU discovery script: prints this host's CUDA device indices as Spark's ResourceInformation
# JSON, e.g. {"name": "gpu", "addresses": ["0", "1"]}. Point the executors at it:
#
#   spark.executor.resource.gpu.amount           1
#   spark.task.resource.gpu.amount               1
#   spark.executor.resource.gpu.discoveryScript  /path/to/deploy/gpu/discover-gpus.sh
#
# (standalone workers also need spark.worker.resource.gpu.amount and ...discoveryScript in their
# own spark-defaults or SPARK_WORKER_OPTS). Each task then finds its GPU in
# TaskContext.resources() and the replica pins ND4J to it (io.alexnetspark.train.DevicePinning).
# Indices, not UUIDs: ND4J addresses devices by CUDA index. CUDA_VISIBLE_DEVICES, when set,
# renumbers devices from 0, and this script follows it.
set -euo pipefail
if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo '{"name": "gpu", "addresses": []}'
  exit 0
fi
if [[ -n "${CUDA_VISIBLE_DEVICES:-}" ]]; then
  count=$(echo "$CUDA_VISIBLE_DEVICES" | tr ',' '\n' | grep -c .)
  indices=$(seq 0 $((count - 1)))
else
  indices=$(nvidia-smi --query-gpu=index --format=csv,noheader)
fi
addresses=$(echo "$indices" | sed 's/.*/"&"/' | paste -sd, -)
echo "{\"name\": \"gpu\", \"addresses\": [${addresses}]}"
