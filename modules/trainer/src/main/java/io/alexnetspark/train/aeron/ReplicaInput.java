package io.alexnetspark.train.aeron;

import io.alexnetspark.data.pipeline.ShardSource;
import io.alexnetspark.paramserver.JobSpec;
import java.io.Serializable;
import java.util.List;

/**
 * What one replica's partition of the barrier stage holds: its shards and its copy of the
 * parameter server's job. Spark ships a partition's data with that partition's task only (a
 * parallelized collection's data is not part of the task binary every task gets), so a replica's
 * task carries its own keys and no other worker's: {@link JobSpec#forWorker}. Only where each
 * replica serves a shard itself ({@code paramserver.placement = executors}) does the copy hold the
 * job's secret: a server needs every worker's keys.
 *
 * @param shards the replica's training shards this epoch
 * @param job    the replica's copy of the parameter server's job
 */
public record ReplicaInput(List<ShardSource> shards, JobSpec job) implements Serializable {
}
