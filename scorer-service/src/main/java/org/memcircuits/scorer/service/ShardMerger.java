package org.memcircuits.scorer.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.contracts.ArtifactKeys;
import org.memcircuits.contracts.Stage;
import org.memcircuits.contracts.ArtifactRef;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.ScoreRequest;
import org.memcircuits.contracts.ScoreResult;
import org.memcircuits.contracts.ScoreStats;
import org.memcircuits.scorer.config.ScorerConfig;

/**
 * Merges a job's shards into one scores JSONL (corpus order) and a summary, once all shards exist.
 * Deterministic keys make a repeated merge find its result instead of writing a second one.
 */
@ApplicationScoped
public class ShardMerger {
    private final ArtifactStore store;
    private final Path work;

    public ShardMerger(ArtifactStore store, ScorerConfig config) {
        this.store = store;
        this.work = config.workDir().resolve("merge");
    }

    /** Shards of the job stored so far. */
    public int shardsDone(String jobId) {
        return (int) store.list(ArtifactKeys.scoreShardPrefix(jobId)).stream().filter(k -> k.endsWith(".jsonl")).count();
    }

    public boolean announced(String jobId) {
        return store.exists(ArtifactKeys.announced(Stage.SCORE, jobId));
    }

    public void markAnnounced(String jobId) {
        store.put(ArtifactKeys.announced(Stage.SCORE, jobId), jobId.getBytes(StandardCharsets.UTF_8), "text/plain");
    }

    public ScoreResult merge(ScoreRequest request, int shardCount) {
        String jobId = request.jobId();
        ScoreStats total = ScoreStats.empty(request.generationTokens());
        for (int k = 0; k < shardCount; k++) {
            ArtifactRef stats = require(ArtifactKeys.scoreShard(jobId, k) + ".stats.json");
            total = total.plus(EventCodec.fromJson(new String(store.read(stats), StandardCharsets.UTF_8), ScoreStats.class));
        }
        Optional<ArtifactRef> scores = store.find(ArtifactKeys.scores(jobId));
        ArtifactRef merged = scores.isPresent() ? scores.get() : concatenate(jobId, shardCount);
        Optional<ArtifactRef> summary = store.find(ArtifactKeys.scoreSummary(jobId));
        ArtifactRef sum = summary.isPresent()
                ? summary.get()
                : store.put(ArtifactKeys.scoreSummary(jobId), summary(request, total, shardCount), "application/json");
        return new ScoreResult(1, jobId, merged, sum, total, request);
    }

    private ArtifactRef concatenate(String jobId, int shardCount) {
        try {
            Files.createDirectories(work);
            Path out = Files.createTempFile(work, jobId, ".jsonl");
            try {
                try (OutputStream o = Files.newOutputStream(out)) {
                    for (int k = 0; k < shardCount; k++) {
                        Path part = Files.createTempFile(work, jobId + "-" + k, ".part");
                        try {
                            store.download(require(ArtifactKeys.scoreShard(jobId, k)), part);
                            Files.copy(part, o);
                        } finally {
                            Files.deleteIfExists(part);
                        }
                    }
                }
                return store.put(ArtifactKeys.scores(jobId), out, "application/x-ndjson");
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ArtifactRef require(String key) {
        return store.find(key).orElseThrow(() -> new IllegalStateException("artifact " + key + " is missing"));
    }

    static byte[] summary(ScoreRequest r, ScoreStats s, int shards) {
        ObjectNode o = EventCodec.mapper().createObjectNode();
        o.put("jobId", r.jobId());
        o.put("model", r.model());
        o.put("corpus", r.corpus().uri());
        o.put("promptTokens", r.promptTokens());
        o.put("generationTokens", r.generationTokens());
        o.put("shards", shards);
        o.put("documents", s.documents());
        o.put("scored", s.scored());
        o.put("skippedShort", s.skippedShort());
        o.put("skippedInvalid", s.skippedInvalid());
        o.put("generatedTokens", s.generatedTokens());
        long[] h = s.histogram();
        double sum = 0;
        long atLeast75 = 0;
        for (int k = 0; k < h.length; k++) {
            double score = (double) k / r.generationTokens();
            sum += score * h[k];
            if (score >= 0.75) {
                atLeast75 += h[k];
            }
        }
        o.put("meanScore", s.scored() == 0 ? 0 : sum / s.scored());
        o.put("memorizedAtLeast075", atLeast75);
        o.put("fullyMemorized", h[h.length - 1]);
        o.put("zeroScore", h[0]);
        var hist = o.putArray("histogram");
        for (int k = 0; k < h.length; k++) {
            hist.addObject().put("score", (double) k / r.generationTokens()).put("documents", h[k]);
        }
        try {
            return EventCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
