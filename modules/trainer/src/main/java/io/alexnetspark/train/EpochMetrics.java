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
 */
public record EpochMetrics(int epoch, double trainLoss, double valLoss, double top1Error, double top5Error,
                           double learningRate, double imagesPerSecond, double averagingSeconds, double epochSeconds,
                           int replicas, int globalBatch) {
}
