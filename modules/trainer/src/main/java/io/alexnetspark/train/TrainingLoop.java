package io.alexnetspark.train;

import io.alexnetspark.model.train.LearningRatePolicy;
import io.alexnetspark.model.train.PlateauSchedule;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The driver's epoch loop, the same for every sync mode: set the epoch's learning rate, train one
 * epoch, evaluate on the validation set, let the schedule see the error, write a checkpoint and
 * append the epoch's metrics. Resumes from the newest checkpoint when asked.
 */
public final class TrainingLoop {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);

    /** What does not change during a run: identities written into every checkpoint. */
    public record RunInfo(int epochs, long seed, String configHash, String config, String manifestId) {
    }

    private final RunInfo run;
    private final EpochTrainer trainer;
    private final Evaluator evaluator;
    private final LearningRatePolicy policy;
    private final CheckpointStore checkpoints;
    private final MetricsLog metrics;
    private final PrintStream progress;
    private int checkpointEveryRounds;

    public TrainingLoop(RunInfo run, EpochTrainer trainer, Evaluator evaluator, LearningRatePolicy policy,
                        CheckpointStore checkpoints, MetricsLog metrics, PrintStream progress) {
        this.run = run;
        this.trainer = trainer;
        this.evaluator = evaluator;
        this.policy = policy;
        this.checkpoints = checkpoints;
        this.metrics = metrics;
        this.progress = progress;
    }

    /**
     * Runs from {@code resumed}'s position (its parameters must already be in the trainer's network)
     * or from epoch 0, to the configured number of epochs.
     *
     * @return the epoch count reached
     */
    /** Also writes a round-level checkpoint every {@code rounds} averaging rounds (0: between epochs only). */
    public TrainingLoop checkpointEveryRounds(int rounds) {
        this.checkpointEveryRounds = rounds;
        return this;
    }

    /** What the progress line adds when an epoch needed more than one attempt, fewer replicas, or resets. */
    static String recoveryNote(EpochMetrics m) {
        StringBuilder b = new StringBuilder();
        if (m.failedAttempts() > 0) {
            b.append(String.format(Locale.ROOT, "  (%d attempts: %d failed, %.1f s lost; %d replicas)", m.attempts().size(),
                    m.failedAttempts(), m.recoverySeconds(), m.replicas()));
        }
        if (m.replicaResets() > 0) {
            b.append("  (").append(m.replicaResets()).append(" replica resets after NaN/Inf)");
        }
        if (m.missedRounds() > 0) {
            b.append("  (").append(m.missedRounds()).append(" rounds missed by stragglers)");
        }
        return b.toString();
    }

    public int run(Optional<CheckpointState> resumed) throws Exception {
        int start = resumed.map(CheckpointState::epoch).orElse(0);
        long rounds = resumed.map(CheckpointState::round).orElse(0L);
        long iterations = resumed.map(CheckpointState::iterations).orElse(0L);
        if (resumed.isPresent() && resumed.get().plateau() != null && policy instanceof PlateauSchedule plateau) {
            plateau.restore(resumed.get().plateau());
        }
        if (start > 0) {
            LOG.info("resuming after epoch {} ({})", start, policy.describe());
        }
        if (resumed.isPresent() && resumed.get().withinEpoch()) {
            LOG.info("resuming within epoch {}: its first {} rounds (of {} replicas) are in the checkpoint", start + 1,
                    resumed.get().roundsIntoEpoch(), resumed.get().replicas());
            trainer.resumeWithinEpoch(resumed.get().roundsIntoEpoch(), resumed.get().replicas());
        }
        long[] position = {rounds, iterations};
        if (checkpointEveryRounds > 0) {
            trainer.checkpointEveryRounds(checkpointEveryRounds, (epoch, roundsIntoEpoch, replicas, average) -> {
                // A copy of the driver's network (its updater state is the epoch's start) holding the average.
                ComputationGraph copy = trainer.network().clone();
                copy.params().assign(Nd4j.create(average));
                PlateauSchedule.State plateauState = policy instanceof PlateauSchedule p ? p.state() : null;
                checkpoints.save(copy, new CheckpointState(epoch, position[0], position[1], run.seed(), plateauState,
                        run.configHash(), run.config(), run.manifestId(), null, roundsIntoEpoch, replicas));
            });
        }
        long runStart = System.nanoTime();
        for (int epoch = start; epoch < run.epochs(); epoch++) {
            double lr = policy.rateForEpoch(epoch);
            long t0 = System.nanoTime();
            EpochTrainer.EpochStats stats = trainer.trainEpoch(epoch, lr);
            Evaluator.Result val = evaluator.evaluate(trainer.network());
            policy.observeValidationError(epoch, val.top1Error());
            double epochSeconds = (System.nanoTime() - t0) / 1e9;
            rounds += 1;
            iterations += stats.images() / Math.max(1, stats.globalBatch());
            position[0] = rounds;
            position[1] = iterations;

            PlateauSchedule.State plateauState = policy instanceof PlateauSchedule p ? p.state() : null;
            checkpoints.save(trainer.network(), new CheckpointState(epoch + 1, rounds, iterations, run.seed(),
                    plateauState, run.configHash(), run.config(), run.manifestId(), null));
            EpochMetrics m = new EpochMetrics(epoch + 1, stats.meanLoss(), val.loss(), val.top1Error(), val.top5Error(), lr,
                    stats.images() / stats.seconds(), stats.averagingSeconds(), epochSeconds, stats.replicas(),
                    stats.globalBatch(), stats.images(), stats.attempts(), stats.replicaResets(), stats.missedRounds());
            metrics.append(m);

            double elapsed = (System.nanoTime() - runStart) / 1e9;
            long eta = Math.round(elapsed / (epoch + 1 - start) * (run.epochs() - epoch - 1));
            progress.printf(Locale.ROOT, "epoch %d/%d  loss %.4f  val top-1 %.2f%% top-5 %.2f%%  %.1f img/s  lr %.2g  ETA %s%s%n",
                    epoch + 1, run.epochs(), stats.meanLoss(), 100 * val.top1Error(), 100 * val.top5Error(),
                    m.imagesPerSecond(), lr, Duration.ofSeconds(eta).toString().substring(2).toLowerCase(Locale.ROOT),
                    recoveryNote(m));
            progress.flush();
        }
        return run.epochs();
    }
}
