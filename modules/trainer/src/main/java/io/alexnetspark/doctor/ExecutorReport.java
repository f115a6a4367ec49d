package io.alexnetspark.doctor;

import java.io.Serializable;
import java.util.List;

/**
 * What one executor found in {@code doctor --cluster}: its host, the parameter-server ports it
 * could bind (executors placement) and reach, its clock against the driver's, its free shared
 * memory and the job's storage.
 *
 * @param partition   the barrier task's partition (the replica it stands for)
 * @param host        the executor's address, as Spark knows it
 * @param bindErrors  ports of its own shard it could not bind (taken, or an address it lacks)
 * @param reached     parameter-server ports it reached, with their round trips
 * @param unreachable parameter-server ports that did not answer
 * @param clock       the driver's clock against this executor's, or null when the driver did not answer
 * @param shm         free space for the Aeron term buffers
 * @param storage     the dataset readable and the output writable from here
 */
public record ExecutorReport(int partition, String host, List<String> bindErrors, List<UdpProbe.Answer> reached,
                             List<String> unreachable, UdpProbe.Answer clock, SharedMemoryCheck.Result shm,
                             List<StorageCheck.Result> storage) implements Serializable {

    /** Whether every check of this executor passed (clock skew is judged by the caller, against its limit). */
    public boolean ok() {
        return bindErrors.isEmpty() && unreachable.isEmpty() && clock != null && shm.ok()
            && storage.stream().allMatch(StorageCheck.Result::ok);
    }
}
