package io.alexnetspark.paramserver;

/**
 * What one shard of the server did in one round, emitted once its average is fully sent.
 *
 * @param shard          the shard
 * @param round          the round closed
 * @param complete       workers that pushed every chunk (the quorum counts these)
 * @param partial        workers that pushed some chunks but not all (their chunks still count)
 * @param byQuorum       closed by time-out + quorum rather than by all W workers
 * @param collectNanos   first push received to close
 * @param averageNanos   dividing the sums into the float32 average
 * @param sendNanos      offering the average's chunks (includes back-pressure waits)
 * @param bytesIn        payload bytes accepted for the round
 * @param bytesOut       payload + header bytes sent with the average
 * @param droppedTotal   messages this server has dropped so far (all shards, all reasons)
 */
public record ShardRoundStats(int shard, long round, int complete, int partial, boolean byQuorum, long collectNanos,
                              long averageNanos, long sendNanos, long bytesIn, long bytesOut, long droppedTotal) {
}
