#!/usr/bin/env bash
# A snippet for $SPARK_CONF_DIR/spark-env.sh on the Master and every Worker of a standalone
# cluster running the alexnet-spark job (Spark 3.5, Java 17). spark-env.sh is sourced by the
# daemons' launch scripts, and the Worker passes its environment to the executors it starts, so
# the library path set here reaches ND4J's CUDA backend in every replica. Edit the values marked.
#
# The Spark settings that must stay identical across daemons (authentication, the secret, the
# GPUs a Worker offers) are in spark-defaults.daemons.conf beside this file.
#
# Sourced, not run: no `set -euo pipefail` here, which would change how Spark's own launch scripts
# behave after sourcing spark-env.sh.

# Java 17: the job jar's --add-opens/--add-exports flags (conf/jvm.options) are for 17.
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"                 # edit

# ND4J's CUDA 11.6 build needs libcudart.so.11, libcublas.so.11, libcusolver.so.11 and
# libcudnn.so.8 (README, "GPU nodes"). Skip on CPU-only workers.
export LD_LIBRARY_PATH="/usr/local/cuda-11.6/lib64:/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"  # edit

# This node's address on the cluster network: the Worker, its executors' block managers and the
# parameter server's sockets bind and advertise it (instead of a guess that may be a loopback).
SPARK_LOCAL_IP="$(hostname -I | awk '{print $1}')"                                    # edit
export SPARK_LOCAL_IP

# Fixed daemon ports, so that firewalls can name them (deploy/cluster/firewall.md).
export SPARK_MASTER_PORT=7077
export SPARK_MASTER_WEBUI_PORT=8080
export SPARK_WORKER_PORT=7078
export SPARK_WORKER_WEBUI_PORT=8081

# What a Worker offers. One executor per GPU, each with spark.executor.cores (8 in
# submit-train.sh) and an 8g heap; SPARK_WORKER_MEMORY counts only heaps, so with 4 GPUs: 4 x 8g.
# The node also needs, outside that figure, ~12g off the heap per executor (ND4J, Aeron's term
# buffers in /dev/shm, CUDA's host side; see submit-train.sh) plus the OS: 4 GPUs -> >= 96 GB RAM.
export SPARK_WORKER_CORES=32                                                          # edit
export SPARK_WORKER_MEMORY=32g                                                        # edit

# Executors' scratch space (shuffle, spill, evicted broadcast blocks): local disks, not /tmp.
export SPARK_LOCAL_DIRS=/data/spark/local                                             # edit

# /dev/shm holds Aeron's term buffers (~0.4 GB per executor with the server in the driver,
# ~0.5 GB x replicas per executor with paramserver.placement=executors): the usual tmpfs of half
# the RAM is enough; a smaller one makes the job stop at start with "not enough free space for
# the Aeron term buffers".
