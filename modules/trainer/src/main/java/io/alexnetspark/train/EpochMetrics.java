package io.alexnetspark.train;

/**
 * What one epoch measured: one JSON line of metrics.jsonl.
 *
 * @param epoch            1-based epoch number
 * @param trainLoss        mean training loss over the epoch
 * @param valLoss          validation loss
 * @param top1Error        validation top-1 error (0..1)
 * @param top5Error        validation top-5 error (0..1)
 * @param learningRate     the learning rate used
 * @param imagesPerSecond  training throughput, all replicas together
 * @param averagingSeconds wall time spent averaging parameters
 * @param epochSeconds     wall time of the epoch (training, averaging, evaluation)
 * @param replicas         replicas that trained
 * @param globalBatch      images per step over all replicas
 * @param images           images whose training is in the epoch's average (rounds of failed attempts that
 *                         were resumed count; work a failed attempt lost does not)
 * @param attempts         the epoch's training attempts (one, unless a stage failed and was tried again);
 *                         empty in the DL4J sync modes and in metrics written before attempts were recorded
 * @param replicaResets    replicas reset from the latest average because their loss or parameters were NaN/Inf
 * @param missedRounds     rounds that closed by quorum without a replica, which then adopted the newer average
 */
public record EpochMetrics(int epoch, double trainLoss, double valLoss, double top1Error, double top5Error,
                           double learningRate, double imagesPerSecond, double averagingSeconds, double epochSeconds,
                           int replicas, int globalBatch, long images, java.util.List<EpochAttempt> attempts, int replicaResets,
                           int missedRounds) {

    public EpochMetrics {
        attempts = attempts == null ? java.util.List.of() : java.util.List.copyOf(attempts);
    }

    /** Failed attempts of this epoch. */
    public int failedAttempts() {
        return (int) attempts.stream().filter(EpochAttempt::failed).count();
    }

    /** Seconds the epoch's failed attempts cost (their work and the waits after them). */
    public double recoverySeconds() {
        return attempts.stream().filter(EpochAttempt::failed).mapToDouble(EpochAttempt::seconds).sum();
    }
}
