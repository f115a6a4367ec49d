package io.alexnetspark.train;

import org.apache.hadoop.fs.Path;

import java.io.IOException;

/**
 * A promotion was refused because production changed after the candidate was judged against it
 * (another retrain promoted meanwhile): promoting now could replace a newer, better model.
 */
public final class ProductionChangedException extends IOException {

    public ProductionChangedException(Path registry, String judged, String now) {
        super("production in " + registry + " changed while this candidate was judged against it: it was "
                + (judged == null ? "none" : judged) + ", it is " + (now == null ? "none" : now)
                + " now (another promotion came first). Nothing was promoted; the candidate stays registered. "
                + "Run again to judge it against the new production.");
    }
}
