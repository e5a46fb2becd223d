package org.memcircuits.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.memcircuits.InvalidInputException;
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.contracts.ArtifactRef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Downloads an artifact (verified against its stored SHA-256) from the store in {@code S3_*}. */
@Command(name = "fetch", description = "Download an artifact s3://bucket/key, verifying its digest.")
final class FetchCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "URI")
    String uri;

    @Option(names = "--out", required = true, paramLabel = "FILE")
    Path out;

    @Override
    public Integer call() {
        if (!uri.startsWith("s3://") || uri.indexOf('/', 5) < 0) {
            throw new InvalidInputException("URI: expected s3://bucket/key, got '" + uri + "'");
        }
        String bucket = uri.substring(5, uri.indexOf('/', 5));
        String key = uri.substring(uri.indexOf('/', 5) + 1);
        try (ArtifactStore store = new ArtifactStore(org.memcircuits.artifacts.StorageConfig.fromEnv().withBucket(bucket))) {
            ArtifactRef ref = store.find(key)
                    .orElseThrow(() -> new InvalidInputException(uri + ": no such artifact (or not completely written)"));
            store.download(ref, out.toAbsolutePath());
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("uri", ref.uri());
            r.put("sha256", ref.sha256());
            r.put("size", ref.size());
            r.put("out", out.toAbsolutePath().toString());
            Json.print(r);
        }
        return 0;
    }
}
