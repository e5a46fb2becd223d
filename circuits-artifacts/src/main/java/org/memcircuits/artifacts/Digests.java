package org.memcircuits.artifacts;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.memcircuits.contracts.ArtifactRef;

/**
 * SHA-256 over everything the store moves: byte arrays, whole streams, streams being uploaded
 * ({@link HashingInputStream}), downloads being written ({@link #copy}), streams handed to callers
 * ({@link VerifyingInputStream}), and the check of what was received against an {@link ArtifactRef}.
 */
final class Digests {

    static final int BUFFER = 64 * 1024;

    private Digests() {}

    static String sha256(byte[] bytes) {
        return hex(newSha256().digest(bytes));
    }

    /** Reads {@code in} to the end. */
    static String sha256(InputStream in) throws IOException {
        MessageDigest md = newSha256();
        byte[] buf = new byte[BUFFER];
        int n;
        while ((n = in.read(buf)) != -1) {
            md.update(buf, 0, n);
        }
        return hex(md.digest());
    }

    /** Size and SHA-256 of what was read; {@code count} may exceed the expected size by one (see {@link #copy}). */
    record Received(long count, String sha256) {}

    /** Hashes at most {@code expected + 1} bytes of {@code in} (enough to tell a longer object) without keeping them. */
    static Received digest(InputStream in, long expected) throws IOException {
        return copy(in, null, expected);
    }

    /**
     * Copies at most {@code expected + 1} bytes of {@code in} to {@code out} (none if null) while hashing them; a
     * failure to write is a {@link LocalIOException}.
     */
    static Received copy(InputStream in, FileChannel out, long expected) throws IOException {
        MessageDigest md = newSha256();
        byte[] buf = new byte[BUFFER];
        long count = 0;
        long limit = expected + 1;
        int n;
        while (count < limit && (n = in.read(buf, 0, (int) Math.min(buf.length, limit - count))) != -1) {
            md.update(buf, 0, n);
            if (out != null) {
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                try {
                    while (bb.hasRemaining()) {
                        out.write(bb);
                    }
                } catch (IOException e) {
                    throw new LocalIOException(e);
                }
            }
            count += n;
        }
        return new Received(count, hex(md.digest()));
    }

    /** Throws INTEGRITY unless {@code count} bytes with digest {@code sha} are what {@code ref} names. */
    static void checkReceived(ArtifactRef ref, long count, String sha, String endpoint) {
        if (count != ref.size() || !sha.equals(ref.sha256())) {
            throw new ArtifactException(ArtifactException.Kind.INTEGRITY, "integrity check failed for " + ref.uri() + " at "
                    + endpoint + ": expected sha256 " + ref.sha256() + " (" + ref.size() + " bytes), got sha256 " + sha
                    + " (" + (count > ref.size() ? "more than " + ref.size() : count) + " bytes)");
        }
    }

    /** The {@value ArtifactStore#SHA256_METADATA} user metadata, trimmed, or null; not checked for form. */
    static String metadataSha(Map<String, String> userMetadata) {
        for (Map.Entry<String, String> e : userMetadata.entrySet()) {
            String k = e.getKey();
            if (k.equalsIgnoreCase(ArtifactStore.SHA256_METADATA) || k.equalsIgnoreCase("x-amz-meta-" + ArtifactStore.SHA256_METADATA)) {
                return e.getValue() == null ? null : e.getValue().trim();
            }
        }
        return null;
    }

    static boolean isSha256Hex(String s) {
        return s != null && s.matches("[0-9a-f]{64}");
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    /** Hashes what is read through it; {@link #skip} is routed through {@link #read} so nothing escapes the digest. */
    static class HashingInputStream extends FilterInputStream {
        private final MessageDigest md = newSha256();
        private long count;

        HashingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                md.update((byte) b);
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                md.update(b, off, n);
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[(int) Math.min(BUFFER, Math.max(n, 1))];
            long skipped = 0;
            while (skipped < n) {
                int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        @Override
        public synchronized void mark(int readlimit) {
            // unsupported: a reset would hash bytes twice
        }

        @Override
        public synchronized void reset() throws IOException {
            throw new IOException("mark/reset not supported");
        }

        long count() {
            return count;
        }

        /** The digest of everything read so far; call once, at the end. */
        String hex() {
            return Digests.hex(md.digest());
        }
    }

    /**
     * Checks size and SHA-256 against {@code ref} as the caller reads: the read that reaches EOF (or passes the
     * expected size) throws INTEGRITY on a mismatch. A stream closed before EOF is not checked.
     */
    static final class VerifyingInputStream extends HashingInputStream {
        private final ArtifactRef ref;
        private final String endpoint;
        private boolean checked;

        VerifyingInputStream(InputStream in, ArtifactRef ref, String endpoint) {
            super(in);
            this.ref = ref;
            this.endpoint = endpoint;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            afterRead(b < 0);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            afterRead(n < 0);
            return n;
        }

        private void afterRead(boolean eof) {
            if (checked) {
                return;
            }
            if (count() > ref.size()) {
                checked = true;
                checkReceived(ref, count(), "(not computed: too many bytes)", endpoint);
            } else if (eof) {
                checked = true;
                checkReceived(ref, count(), hex(), endpoint);
            }
        }
    }
}
