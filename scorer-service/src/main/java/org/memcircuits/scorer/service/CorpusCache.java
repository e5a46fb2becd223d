package org.memcircuits.scorer.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.contracts.ArtifactRef;
import org.memcircuits.scorer.config.ScorerConfig;

/**
 * Local copies of corpus artifacts, by digest: every shard of a job on this replica reads the same
 * verified file. The file keeps the object's name, whose extension tells the corpus format.
 */
@ApplicationScoped
public class CorpusCache {
    private final ArtifactStore store;
    private final Path dir;

    public CorpusCache(ArtifactStore store, ScorerConfig config) {
        this.store = store;
        this.dir = config.workDir().resolve("corpora");
    }

    public synchronized Path local(ArtifactRef corpus) {
        String name = corpus.key().substring(corpus.key().lastIndexOf('/') + 1);
        Path file = dir.resolve(corpus.sha256()).resolve(name);
        if (Files.isRegularFile(file)) {
            return file;
        }
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return store.download(corpus, file);
    }
}
