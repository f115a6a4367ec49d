package io.alexnetspark.cli;

import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** Prints the versions of the product and of the stack it was built with and runs on. */
@Command(name = "version", mixinStandardHelpOptions = true,
        description = "Print the versions of this build, its stack, and what the classpath really holds.")
final class VersionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--backend", description = "Also load ND4J and print the backend it really runs (loads native code).")
    boolean backend;

    @Override
    public Integer call() {
        BuildInfo b = new BuildInfo();
        PrintWriter out = spec.commandLine().getOut();
        out.printf("alexnet-spark %s%n", b.get("version"));
        out.printf("java          %s (%s)%n", System.getProperty("java.version"), System.getProperty("java.vm.name"));
        out.printf("dl4j/nd4j     %s (backend built in: %s, %s)%n", b.get("dl4j"), b.get("nd4j.backend"),
                b.get("nd4j.classifier"));
        out.printf("dl4j-spark    %s%n", b.get("dl4j.spark"));
        out.printf("spark         built against %s, on classpath: %s%n", b.get("spark"), orNone(BuildInfo.runtimeSpark()));
        out.printf("hadoop        built against %s, on classpath: %s%n", b.get("hadoop"), orNone(BuildInfo.runtimeHadoop()));
        out.printf("aeron         %s%n", b.get("aeron"));
        if (backend) {
            out.printf("nd4j backend  %s%n", Nd4j.getBackend().getClass().getName());
            out.printf("nd4j env      %s%n", Nd4j.getExecutioner().getEnvironmentInformation());
        }
        out.flush();
        return 0;
    }

    private static String orNone(String v) {
        return v == null ? "(none: provided by the cluster)" : v;
    }
}
