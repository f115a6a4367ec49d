# shellcheck shell=bash disable=SC2034
# What the three launchers share: standalone/, yarn/ and kubernetes/submit-train.sh source this
# file after their `edit these` block (so REPLICAS is set). Sourced, not run.
#
# Every value below is a default: VAR=... in the environment wins, as in the launchers' own blocks.
# A launcher that needs another default for its platform sets VAR="${VAR:-its default}" before
# sourcing this file. What each platform does with the sizes (who enforces the overhead, what
# /dev/shm is charged to) is said in the launcher, beside the line that sources this file.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  echo "common.sh: sourced by the submit-train.sh scripts, not run" >&2; exit 2
fi

# Memory per executor, for the 62.4M-parameter network (alexnet-single: 62,378,344 float32 =
# 249.5 MB; alexnet-2012 is 2% smaller). What one replica holds:
#   on the heap (8g): Spark's task binary and the broadcast of the epoch's starting parameters
#     (249.5 MB, deserialized once), Kryo buffers (kryoserializer.buffer.max 1g), the shuffle
#     buffer of compressed JPEGs (2048 records) and the decoders' images in flight;
#   off the heap (ND4J, JavaCPP), the bulk:
#     parameters + gradients + momentum (updater state)          3 x 249.5 MB = 0.75 GB
#     the vector pushed and the average received per round       2 x 249.5 MB = 0.5 GB
#     activations of batch 128 at 227x227: ~1.41M floats an image
#       (conv1 96x55x55 and its LRN dominate) = 5.7 MB x 128 = 0.72 GB forward, about as much
#       again for their gradients, plus the convolution workspaces   ~2-3 GB
#     4 prefetched input batches (128 x 3x227x227 float32 each)      0.32 GB
#     measured: one replica at batch 128 peaks at 3.25 GB RSS on the CPU backend (BENCHMARKS.md, §2)
#     Aeron's term buffers, mapped from /dev/shm and counted in the RSS: ~0.4 GB with the server in
#       the driver (2 logs x 3 terms x 64 MB), ~0.5 GB x REPLICAS with placement=executors
#     CUDA context, cuBLAS/cuDNN handles (host side), JVM metaspace, threads, Netty buffers
#       for Spark's block transfers                                  ~1.5-2 GB (not measured)
#   => 6-10 GB off the heap: spark.executor.memoryOverhead 12g. With placement=executors beyond 8
#   replicas, add 0.5g per further replica (Aeron's buffers grow with the number of shards).
EXECUTOR_MEMORY="${EXECUTOR_MEMORY:-8g}"
EXECUTOR_OVERHEAD="${EXECUTOR_OVERHEAD:-12g}"
# The driver holds the model, the average between epochs and the checkpoint being written, and
# with placement=driver the server's shards and their term buffers (2 x (REPLICAS + 1) logs of
# 192 MB per shard): 8g + 8g. The overhead sizes the driver's container in cluster mode (YARN,
# Kubernetes); standalone runs the driver on the submitting host (client mode): its heap only.
DRIVER_MEMORY="${DRIVER_MEMORY:-8g}"
DRIVER_OVERHEAD="${DRIVER_OVERHEAD:-8g}"
# JavaCPP caps what ND4J allocates off the heap at -Xmx unless told otherwise, so raising the
# overhead alone gives ND4J nothing: say both limits. maxphysicalbytes bounds the whole process's
# RSS (heap and /dev/shm mappings included); below heap + overhead, ND4J collects garbage and
# then fails with a readable OutOfMemoryError before a container limit kills the JVM. The
# driver's (cluster mode) stays below its 8g + 8g.
ND4J_MAXBYTES="${ND4J_MAXBYTES:-8g}"
ND4J_MAXPHYSICALBYTES="${ND4J_MAXPHYSICALBYTES:-19g}"
DRIVER_ND4J_MAXPHYSICALBYTES="${DRIVER_ND4J_MAXPHYSICALBYTES:-15g}"

# The parameter server: in the driver up to 4 replicas (its link carries 2 x REPLICAS models per
# round), in the executors beyond (each host moves ~2 models per round; README, "Running on a
# real cluster"). Override with PLACEMENT=driver|executors.
if [[ ! "$REPLICAS" =~ ^[1-9][0-9]*$ ]]; then
  echo "submit-train: REPLICAS must be a positive whole number, got '$REPLICAS'" >&2; exit 2
fi
PLACEMENT="${PLACEMENT:-$( (( REPLICAS > 4 )) && echo executors || echo driver)}"

# Fixed ports, so that firewalls can name them (deploy/cluster/firewall.md). Spark tries
# port .. port + maxRetries when one is taken (several executors on one host each take the next).
# Standalone and YARN pass these; Kubernetes fixes 7078/7079 in its script (network-policy.yaml).
DRIVER_PORT="${DRIVER_PORT:-40000}"
BLOCK_MANAGER_PORT="${BLOCK_MANAGER_PORT:-40020}"
PORT_MAX_RETRIES="${PORT_MAX_RETRIES:-16}"

# The job's own command line, the same on every cluster manager, into TRAIN_ARGS: train, the
# launcher's CONFIG_ARGS (where the config file is on that platform) and the settings above. The
# launcher passes "${TRAIN_ARGS[@]}" "$@" after its spark-submit options.
train_args() {
  TRAIN_ARGS=(train ${CONFIG_ARGS[@]+"${CONFIG_ARGS[@]}"}
    --set "job.data=$DATA"
    --set "job.output=$OUTPUT"
    --set "job.replicas=$REPLICAS"
    --set "paramserver.placement=$PLACEMENT"
    --set "data.pipeline.workers=$DECODE_WORKERS")
}
