package io.alexnetspark.paramserver;

/**
 * A worker's view of one {@link ParameterClient#pushAndAwait} (or {@link ParameterClient#pullLatest}).
 *
 * @param round           the round whose average is now in the caller's buffer (-1: none exists yet)
 * @param pushNanos       offering all chunks (or the PULL requests)
 * @param waitNanos       from the last chunk offered to the first chunk of the average
 * @param pullNanos       from the first to the last chunk of the average
 * @param bytesOut        payload + header bytes sent
 * @param bytesIn         payload + header bytes of the average applied
 * @param minContributors fewest workers any chunk of the average was computed from
 * @param maxContributors most workers any chunk of the average was computed from
 * @param dropped         messages this client dropped during the call (all reasons)
 */
public record RoundStats(long round, long pushNanos, long waitNanos, long pullNanos, long bytesOut, long bytesIn,
                         int minContributors, int maxContributors, long dropped) {

    public long totalNanos() {
        return pushNanos + waitNanos + pullNanos;
    }
}
