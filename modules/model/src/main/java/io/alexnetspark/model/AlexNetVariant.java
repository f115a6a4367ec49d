package io.alexnetspark.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The two network layouts of the paper that this project builds. */
public enum AlexNetVariant {
    /**
     * The paper's network as trained on two GPUs: conv1-conv5 are split into two towers of half the
     * maps each; conv2, conv4 and conv5 see only their own tower's maps, conv3 and the fully
     * connected layers see both. 60,965,224 parameters at 227x227x3 input and 1000 classes.
     */
    ALEXNET_2012("alexnet-2012"),
    /** The same layer sizes in one tower (every layer sees all maps). 62,378,344 parameters. */
    ALEXNET_SINGLE("alexnet-single");

    private final String configName;

    AlexNetVariant(String configName) {
        this.configName = configName;
    }

    /** The name used in configuration files and on the command line. */
    public String configName() {
        return configName;
    }

    public boolean twoTowers() {
        return this == ALEXNET_2012;
    }

    /** Parses a configuration name such as {@code alexnet-2012}. */
    public static AlexNetVariant fromConfigName(String name) {
        return io.alexnetspark.model.config.ConfigNames.parse(AlexNetVariant.class, name);
    }

    public static String names() {
        return Arrays.stream(values()).map(AlexNetVariant::configName).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return configName;
    }
}
