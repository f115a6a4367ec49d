package io.alexnetspark.data.pipeline;

/**
 * The input pipeline's knobs.
 *
 * @param batchSize       images per mini-batch (ten-crop gives 10x as many rows)
 * @param numClasses      width of the one-hot labels
 * @param transform       crop/flip/lighting/mean
 * @param seed            base seed: epoch e's order and augmentation derive from (seed, e)
 * @param workers         decoding threads
 * @param prefetchBatches decoded mini-batches kept ready (the memory bound, with the shuffle buffer)
 * @param shuffleBuffer   compressed records held for within-shard shuffling; at least the shard size
 *                        gives a full permutation of each shard (plus mixing across neighbours)
 * @param dropLast        drop a final, smaller batch
 * @param verifyBeforeUse check each shard's SHA-256 against its manifest entry in one read pass
 *                        before any of its records is used (else only at the shard's end, after its
 *                        records were handed out)
 * @param decoder         the JPEG decoder (libjpeg-turbo when installed, or ImageIO)
 */
public record PipelineSettings(int batchSize, int numClasses, TransformSettings transform, long seed, int workers,
                               int prefetchBatches, int shuffleBuffer, boolean dropLast, boolean verifyBeforeUse,
                               DecoderChoice decoder)
        implements java.io.Serializable {
    public PipelineSettings {
        if (batchSize < 1 || numClasses < 1 || workers < 1 || prefetchBatches < 1 || shuffleBuffer < 1) {
            throw new IllegalArgumentException("batchSize, numClasses, workers, prefetchBatches and shuffleBuffer must be >= 1");
        }
        java.util.Objects.requireNonNull(decoder, "decoder");
    }

    /** Settings that verify every shard before use and decode with libjpeg-turbo where installed. */
    public PipelineSettings(int batchSize, int numClasses, TransformSettings transform, long seed, int workers,
                            int prefetchBatches, int shuffleBuffer, boolean dropLast) {
        this(batchSize, numClasses, transform, seed, workers, prefetchBatches, shuffleBuffer, dropLast, true,
                DecoderChoice.AUTO);
    }

    /** The same settings with shard verification before use on or off. */
    public PipelineSettings withVerifyBeforeUse(boolean verify) {
        return new PipelineSettings(batchSize, numClasses, transform, seed, workers, prefetchBatches, shuffleBuffer,
                dropLast, verify, decoder);
    }

    /** The same settings with another JPEG decoder. */
    public PipelineSettings withDecoder(DecoderChoice choice) {
        return new PipelineSettings(batchSize, numClasses, transform, seed, workers, prefetchBatches, shuffleBuffer,
                dropLast, verifyBeforeUse, choice);
    }

    /** Evaluation never shuffles: a buffer of 1 keeps shard order. */
    public static PipelineSettings evaluation(int batchSize, int numClasses, TransformSettings transform, int workers) {
        return new PipelineSettings(batchSize, numClasses, transform, 0, workers, 4, 1, false);
    }
}
