package io.alexnetspark.model;

/**
 * One convolution layer's geometry: {@code filters} output maps (over both towers together),
 * a square {@code kernel}, {@code stride} and zero {@code padding}.
 */
public record ConvSpec(int filters, int kernel, int stride, int padding) {
}
