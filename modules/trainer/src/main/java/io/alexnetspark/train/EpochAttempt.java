package io.alexnetspark.train;

/**
 * One attempt at an epoch's training stage, as {@code metrics.jsonl} and the report show it.
 *
 * @param attempt      1 for the first try of the epoch
 * @param replicas     replicas the attempt ran with
 * @param failed       whether the stage failed
 * @param cause        why it failed, one line (empty when it did not)
 * @param seconds      wall time of the attempt, plus (when it failed) the wait for task slots after it
 * @param next         what the driver did next: "resume at round R (K of M rounds kept)", "restart the
 *                     epoch from its start", or empty for the attempt that completed the epoch
 * @param roundsRedone rounds of the epoch the next attempt trains again: the open round of a resumed
 *                     attempt, or every round so far when the epoch restarts (for the attempt that gave
 *                     up: the rounds it had left); 0 for the attempt that completed the epoch
 */
public record EpochAttempt(int attempt, int replicas, boolean failed, String cause, double seconds, String next,
                           long roundsRedone) {
}
