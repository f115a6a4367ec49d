package io.alexnetspark.data.layout;

/**
 * One class of the dataset.
 *
 * @param label 0-based index, the network's output unit
 * @param wnid  WordNet id (ILSVRC) or folder name (generic trees)
 * @param name  human-readable name
 */
public record ClassEntry(int label, String wnid, String name) {
}
