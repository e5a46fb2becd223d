package org.memcircuits.artifacts;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * An I/O failure on our side (source file, destination file): never retried, never blamed on the server. Thrown
 * from inside an S3 call, it lets {@link S3Calls} tell it from the network's {@link IOException}s.
 */
final class LocalIOException extends IOException {

    LocalIOException(IOException cause) {
        super(cause.getMessage(), cause);
    }

    /** {@code in}, with its read failures marked as local (it is a source file being uploaded). */
    static InputStream marking(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                try {
                    return super.read();
                } catch (IOException e) {
                    throw new LocalIOException(e);
                }
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    return super.read(b, off, len);
                } catch (IOException e) {
                    throw new LocalIOException(e);
                }
            }
        };
    }
}
