package io.alexnetspark.train.aeron;

import org.apache.spark.SparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.function.IntSupplier;

/**
 * How many replicas the cluster can run at once: the task slots of the live executors, counted
 * the way Spark counts them for a barrier stage (cores and custom resources such as GPUs, per
 * task). A barrier stage with more tasks than slots cannot start, so the trainer asks here first.
 */
public final class SparkSlots {

    private static final Logger LOG = LoggerFactory.getLogger(SparkSlots.class);
    private static final long POLL_MS = 250;

    private final IntSupplier slots;

    /** @param slots the slots available now */
    public SparkSlots(IntSupplier slots) {
        this.slots = slots;
    }

    /** The slots of {@code sc}'s executors for its default resource profile. */
    public static SparkSlots of(SparkContext sc) {
        // private[spark] in Scala, public in the bytecode: the number DAGScheduler checks barrier stages against.
        return new SparkSlots(() -> sc.maxNumConcurrentTasks(sc.resourceProfileManager().defaultResourceProfile()));
    }

    public int available() {
        return slots.getAsInt();
    }

    /**
     * Waits up to {@code wait} until {@code wanted} slots are there and returns {@code wanted}; after
     * the wait, returns what there is if that is at least {@code min}.
     *
     * @throws NotEnoughSlotsException with fewer than {@code min} slots after the wait
     */
    public int await(int wanted, int min, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        int have = available();
        boolean logged = false;
        while (have < wanted && System.nanoTime() < deadline) {
            if (!logged) {
                LOG.info("waiting up to {} s for {} task slots (the cluster offers {} now)", wait.toSeconds(), wanted, have);
                logged = true;
            }
            Thread.sleep(POLL_MS);
            have = available();
        }
        if (have >= wanted) {
            return wanted;
        }
        if (have >= min) {
            return have;
        }
        throw new NotEnoughSlotsException(String.format("the cluster offers %d task slots after waiting %d s "
                + "(job.recovery.slot-wait); job.min-replicas needs at least %d", have, wait.toSeconds(), min));
    }

    /** Fewer slots than {@code job.min-replicas} after the wait. */
    public static final class NotEnoughSlotsException extends RuntimeException {
        public NotEnoughSlotsException(String message) {
            super(message);
        }
    }
}
