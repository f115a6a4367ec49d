package io.alexnetspark.train;

import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;

/**
 * Pins the calling thread's ND4J work to the GPU that Spark's scheduler gave the task.
 *
 * <p>With {@code spark.executor.resource.gpu.amount} and {@code spark.task.resource.gpu.amount}
 * set, every task carries the addresses of its GPUs in {@link TaskContext#resources()}; several
 * executors on one host each get a different GPU, but every JVM still sees all of the host's
 * devices. Without pinning, ND4J's CUDA backend spreads new threads over devices round-robin, so
 * two replicas could share one GPU while another idles. On the CPU backend there is no GPU
 * resource and this does nothing.
 */
public final class DevicePinning {

    private static final Logger LOG = LoggerFactory.getLogger(DevicePinning.class);

    /** The resource name Spark's GPU scheduling uses. */
    public static final String GPU = "gpu";

    private DevicePinning() {
    }

    /** The first GPU address Spark assigned to this task, if any. */
    public static Optional<Integer> assignedGpu(Map<String, ResourceInformation> resources) {
        ResourceInformation gpu = resources.get(GPU);
        if (gpu == null || gpu.addresses().length == 0) {
            return Optional.empty();
        }
        String address = gpu.addresses()[0].trim();
        try {
            return Optional.of(Integer.parseInt(address));
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Spark assigned GPU address '" + address + "', not a device index: the "
                    + "discovery script (spark.executor.resource.gpu.discoveryScript) must print CUDA indices");
        }
    }

    /**
     * Pins the current thread to the task's GPU when it has one.
     *
     * @return the device pinned to, if any
     */
    public static Optional<Integer> pinCurrentThread(TaskContext task) {
        Optional<Integer> device = assignedGpu(scala.collection.JavaConverters.mapAsJavaMapConverter(task.resources()).asJava());
        device.ifPresent(d -> {
            Nd4j.getAffinityManager().unsafeSetDevice(d);
            LOG.info("task {} (partition {}) pinned to GPU {}", task.taskAttemptId(), task.partitionId(), d);
        });
        return device;
    }
}
