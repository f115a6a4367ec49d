package io.alexnetspark.paramserver;

/**
 * What a server's shards answered to a round query ({@link ParameterClient#queryRound}).
 *
 * @param latestRound the latest complete round of the lowest shard (-1: none holds an average)
 * @param agree       whether every shard holds that same round (false in the middle of a round)
 * @param incarnation a fingerprint of the shards' incarnations: it changes when any shard's
 *                    server process restarted, even if the round it holds looks plausible
 */
public record ServerRound(long latestRound, boolean agree, long incarnation) {
}
