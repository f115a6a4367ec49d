#!/usr/bin/env bash
# Runs a command inside a CPU cgroup: writes this shell's pid into the cgroup, then execs the
# command in its place, so the command and everything it starts (a Worker's executors) share the
# cgroup's CPU quota. Used by up.sh --cpus-per-host.
#
#   deploy/local/in-cgroup.sh <cgroup folder> <command> [args...]
set -euo pipefail
echo $$ > "$1/cgroup.procs"
shift
exec "$@"
