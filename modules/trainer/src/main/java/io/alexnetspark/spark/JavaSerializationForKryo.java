package io.alexnetspark.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;

/**
 * Java serialization inside a Kryo stream, resolving classes through the loader that can see the
 * job jar. Kryo's own JavaSerializer resolves through Kryo's class loader only, which in a
 * spark-submit driver is not the one holding the application jar: task results of our record
 * types then fail with ClassNotFoundException. This tries Kryo's loader, then the loader of the
 * job's own classes.
 */
public final class JavaSerializationForKryo extends Serializer<Object> {

    /** Kryo instantiates default serializers reflectively. */
    public JavaSerializationForKryo() {
    }

    private static final ClassLoader JOB_LOADER = JavaSerializationForKryo.class.getClassLoader();

    @Override
    public void write(Kryo kryo, Output output, Object object) {
        try {
            ObjectOutputStream out = new ObjectOutputStream(output);
            out.writeObject(object);
            out.flush();
        } catch (IOException e) {
            throw new KryoException("Java serialization of " + object.getClass().getName() + " failed", e);
        }
    }

    @Override
    public Object read(Kryo kryo, Input input, Class<Object> type) {
        try {
            return new LoaderAwareInput(input, kryo.getClassLoader()).readObject();
        } catch (IOException | ClassNotFoundException e) {
            throw new KryoException("Java deserialization of " + type.getName() + " failed", e);
        }
    }

    private static final class LoaderAwareInput extends ObjectInputStream {
        private final ClassLoader first;

        LoaderAwareInput(InputStream in, ClassLoader first) throws IOException {
            super(in);
            this.first = first;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            if (first != null) {
                try {
                    return Class.forName(desc.getName(), false, first);
                } catch (ClassNotFoundException ignored) {
                    // fall through to the job's loader
                }
            }
            try {
                return Class.forName(desc.getName(), false, JOB_LOADER);
            } catch (ClassNotFoundException e) {
                return super.resolveClass(desc);
            }
        }
    }
}
