package org.memcircuits.systemtests;

import java.util.Map;
import java.util.TreeMap;
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.artifacts.StorageConfig;
import org.memcircuits.contracts.ArtifactRef;
import org.memcircuits.contracts.JobIds;
import org.memcircuits.testing.LocalStack;

/** Digests of stored objects, read back byte by byte. */
final class Artifacts {
    /** A store on the test stack's S3 server, its bucket created. */
    static ArtifactStore newBucket(String bucket) {
        LocalStack s = LocalStack.get();
        ArtifactStore st = new ArtifactStore(new StorageConfig(s.s3Endpoint(), s.s3AccessKey(), s.s3SecretKey(), s.s3Region(), bucket));
        st.ensureBucket();
        return st;
    }

    private Artifacts() {}

    /** sha256 of every object under {@code jobs/<jobId>/}, by key relative to that prefix. */
    static Map<String, String> jobDigests(ArtifactStore store, String jobId) {
        String prefix = "jobs/" + jobId + "/";
        Map<String, String> out = new TreeMap<>();
        for (String key : store.list(prefix)) {
            ArtifactRef ref = store.find(key).orElseThrow(() -> new AssertionError(key + " listed but not found"));
            out.put(key.substring(prefix.length()), JobIds.sha256(store.read(ref)));
        }
        return out;
    }

    /**
     * The referenced object exists in its bucket with exactly the digest and size the reference names (the bytes are
     * read and hashed here, not taken from metadata).
     */
    static void verify(ArtifactStore any, ArtifactRef ref) {
        try (ArtifactStore s = new ArtifactStore(any.config().withBucket(ref.bucket()))) {
            ArtifactRef stored = s.find(ref.key()).orElseThrow(() -> new AssertionError("referenced artifact " + ref.uri() + " is missing"));
            byte[] bytes;
            try {
                bytes = s.read(stored);
            } catch (RuntimeException e) {
                throw new AssertionError("referenced artifact " + ref.uri() + " cannot be read back: " + e, e);
            }
            String sha = JobIds.sha256(bytes);
            if (!sha.equals(ref.sha256()) || bytes.length != ref.size()) {
                throw new AssertionError("referenced artifact " + ref.uri() + " is " + bytes.length + " bytes with sha256 " + sha
                        + ", but the event names " + ref.size() + " bytes and " + ref.sha256());
            }
        }
    }
}
