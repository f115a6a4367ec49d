package io.alexnetspark.train;

/**
 * What a registered model is and how good it is: the small JSON file beside model.zip.
 *
 * @param version     registry version, e.g. v000003 (set by the registry)
 * @param variant     alexnet-2012 or alexnet-single
 * @param classes     number of output classes
 * @param classNames  the human name of each output, by label
 * @param manifestId  identity of the training data's manifest
 * @param evaluatedOn identity of the validation set the errors were measured on
 * @param configHash  SHA-256 of the effective training configuration
 * @param top1Error   top-1 error on {@code evaluatedOn}
 * @param top5Error   top-5 error on {@code evaluatedOn}
 * @param createdAt   ISO-8601 time of registration (set by the registry)
 * @param parent      the version it was warm-started from, or null
 */
public record ModelCard(String version, String variant, int classes, java.util.List<String> classNames, String manifestId, String evaluatedOn,
                        String configHash, double top1Error, double top5Error, String createdAt, String parent) {

    ModelCard registeredAs(String newVersion, String time) {
        return new ModelCard(newVersion, variant, classes, classNames, manifestId, evaluatedOn, configHash, top1Error, top5Error,
                time, parent);
    }
}
