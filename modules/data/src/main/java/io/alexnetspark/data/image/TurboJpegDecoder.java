package io.alexnetspark.data.image;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * libjpeg-turbo's SIMD decoder through its own JNI binding (TurboJPEG), as Debian ships it:
 * {@code libturbojpeg-java} ({@code /usr/share/java/turbojpeg.jar}) and the native library
 * ({@code libturbojpeg0}, plus {@code libturbojpeg0-dev} for the unversioned
 * {@code libturbojpeg.so} that the binding's loader looks for). It decodes 2.7x faster per core than
 * ImageIO (JDK libjpeg 6b, no SIMD): BENCHMARKS.md section 4.
 *
 * <p>Neither is on Maven Central, so this is optional and loaded by reflection from the jar at run
 * time ({@code -Dalexnet.turbojpeg.jar=PATH} moves it): where it is missing the pipeline falls back
 * to ImageIO ({@code data.pipeline.decoder = auto}). Only the training/evaluation pipeline uses it,
 * on shards ingestion wrote and checked; ingestion keeps {@link ImageDecoder} for its diagnosis of
 * bad inputs.
 */
public final class TurboJpegDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(TurboJpegDecoder.class);
    /** Where Debian's libturbojpeg-java installs the binding. */
    public static final String DEFAULT_JAR = "/usr/share/java/turbojpeg.jar";
    /** TJ.PF_BGR: the byte layout of {@link BufferedImage#TYPE_3BYTE_BGR}. */
    private static final int PF_BGR = 1;
    /** TJ.FLAG_STOPONWARNING: a damaged stream is an error, not grey pixels. */
    private static final int FLAG_STOPONWARNING = 8192;

    private static Optional<TurboJpegDecoder> loaded;
    private static String unavailable;

    private final MethodHandle create;
    private final MethodHandle setSource;
    private final MethodHandle width;
    private final MethodHandle height;
    private final MethodHandle decompress;

    private TurboJpegDecoder(Class<?> tj) throws ReflectiveOperationException {
        MethodHandles.Lookup l = MethodHandles.publicLookup();
        create = l.findConstructor(tj, MethodType.methodType(void.class)).asType(MethodType.methodType(Object.class));
        setSource = l.findVirtual(tj, "setSourceImage", MethodType.methodType(void.class, byte[].class, int.class))
                .asType(MethodType.methodType(void.class, Object.class, byte[].class, int.class));
        width = l.findVirtual(tj, "getWidth", MethodType.methodType(int.class)).asType(MethodType.methodType(int.class, Object.class));
        height = l.findVirtual(tj, "getHeight", MethodType.methodType(int.class)).asType(MethodType.methodType(int.class, Object.class));
        decompress = l.findVirtual(tj, "decompress", MethodType.methodType(void.class, byte[].class, int.class, int.class,
                        int.class, int.class, int.class, int.class, int.class))
                .asType(MethodType.methodType(void.class, Object.class, byte[].class, int.class, int.class, int.class,
                        int.class, int.class, int.class, int.class));
    }

    /**
     * The decoder, loaded once per JVM (a JNI library binds to one class loader), or empty when the
     * binding or its native library is missing ({@link #unavailableReason()} says why).
     */
    public static synchronized Optional<TurboJpegDecoder> get() {
        if (loaded == null) {
            Path jar = Path.of(System.getProperty("alexnet.turbojpeg.jar", DEFAULT_JAR));
            try {
                loaded = Optional.of(load(jar));
                LOG.info("JPEG decoding in the input pipeline: libjpeg-turbo (TurboJPEG JNI, {})", jar);
            } catch (Throwable e) {
                unavailable = e.toString();
                loaded = Optional.empty();
                LOG.info("JPEG decoding in the input pipeline: ImageIO (libjpeg-turbo unavailable: {})", unavailable);
            }
        }
        return loaded;
    }

    /** Why {@link #get()} is empty, or null. */
    public static synchronized String unavailableReason() {
        get();
        return unavailable;
    }

    /** Loads the binding from a jar and decodes a tiny JPEG through it (so a missing native library shows now). */
    static TurboJpegDecoder load(Path jar) throws Throwable {
        if (!Files.isRegularFile(jar)) {
            throw new IOException(jar + " not found (Debian: apt-get install libturbojpeg-java libturbojpeg0-dev)");
        }
        ClassLoader loader = new URLClassLoader(new URL[]{jar.toUri().toURL()}, TurboJpegDecoder.class.getClassLoader());
        Class<?> tj = Class.forName("org.libjpegturbo.turbojpeg.TJDecompressor", true, loader);
        TurboJpegDecoder d = new TurboJpegDecoder(tj);
        d.decode(TINY_JPEG);
        return d;
    }

    /**
     * Per thread: a TurboJPEG handle (tjInitDecompress once, not per image) and the last output
     * image. A handle is freed by TJDecompressor's finalizer once its thread is gone.
     */
    private final ThreadLocal<Object> handles = new ThreadLocal<>();
    private final ThreadLocal<BufferedImage> images = new ThreadLocal<>();

    /**
     * Decodes to a new RGB image ({@link BufferedImage#TYPE_3BYTE_BGR}; grey JPEGs come out as RGB).
     *
     * @throws IOException on a damaged or unsupported stream (warnings included)
     */
    public BufferedImage decode(byte[] jpeg) throws IOException {
        return decode(jpeg, false);
    }

    /**
     * Like {@link #decode(byte[])}, but into this thread's previous output image when the size is
     * the same: the result is only valid until this thread's next call. For the pipeline's workers,
     * which decode and transform one image at a time (saves a 192 KB allocation per 256x256 image).
     */
    public BufferedImage decodeReusing(byte[] jpeg) throws IOException {
        return decode(jpeg, true);
    }

    private BufferedImage decode(byte[] jpeg, boolean reuse) throws IOException {
        try {
            Object d = handles.get();
            if (d == null) {
                d = create.invokeExact();
                handles.set(d);
            }
            setSource.invokeExact(d, jpeg, jpeg.length);
            int w = (int) width.invokeExact(d);
            int h = (int) height.invokeExact(d);
            BufferedImage img = reuse ? images.get() : null;
            if (img == null || img.getWidth() != w || img.getHeight() != h) {
                img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
                if (reuse) {
                    images.set(img);
                }
            }
            byte[] dst = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
            decompress.invokeExact(d, dst, 0, 0, w, 0, h, PF_BGR, FLAG_STOPONWARNING);
            return img;
        } catch (IOException | RuntimeException | Error e) {
            throw e instanceof IOException io ? io : new IOException("libjpeg-turbo: " + e, e);
        } catch (Throwable e) {
            throw new IOException("libjpeg-turbo: " + e, e);
        }
    }

    /** A 1x1 grey baseline JPEG (as the JDK writes it), to check the native library on load. */
    private static final byte[] TINY_JPEG = java.util.Base64.getDecoder().decode(
            "/9j/4AAQSkZJRgABAgAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAx"
            + "NDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUF"
            + "BAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVW"
            + "V1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi"
            + "4+Tl5ufo6erx8vP09fb3+Pn6/9oACAEBAAA/APn+v//Z");
}
