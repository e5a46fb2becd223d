package org.memcircuits.contrastive.service.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.contracts.ArtifactKeys;
import org.memcircuits.contracts.ArtifactRef;
import org.memcircuits.contracts.ContrastiveRequest;
import org.memcircuits.contracts.ContrastiveResult;
import org.memcircuits.contrastive.ContrastiveRunner;
import org.memcircuits.contrastive.Similarity;
import org.memcircuits.contrastive.service.config.ContrastiveConfig;
import org.memcircuits.engine.Djl;
import org.memcircuits.service.ModelCache;

/** Runs one contrastive job with the same code as {@code circuits contrastive} and stores its files. */
@ApplicationScoped
public class ContrastiveJobs {
    private final ArtifactStore store;
    private final ModelCache models;
    private final ContrastiveMetrics metrics;
    private final Path work;

    public ContrastiveJobs(ArtifactStore store, ModelCache models, ContrastiveMetrics metrics, ContrastiveConfig config) {
        this.store = store;
        this.models = models;
        this.metrics = metrics;
        this.work = config.workDir();
    }

    public ContrastiveResult run(ContrastiveRequest r, ContrastiveRunner.Progress progress) {
        Path dir = work.resolve(r.jobId());
        try {
            Files.createDirectories(dir);
            Path scores = store.download(r.scores(), dir.resolve("scores.jsonl"));
            Path divergence = r.divergence() == null ? null : store.download(r.divergence(), dir.resolve("divergence-in.jsonl"));
            ContrastiveRunner.Result res = ContrastiveRunner.run(models.get(r.model()), scores, divergence,
                    new ContrastiveRunner.Options(r.mode(), r.threshold(), Similarity.parse(r.similarity()),
                            r.filterLengthMismatch(), r.batchSize(), r.maxPairs()), dir.resolve("out"), progress);
            ArtifactRef dataset = store.put(ArtifactKeys.contrastive(r.jobId(), res.prompts().getFileName().toString()),
                    res.prompts(), "application/json");
            ArtifactRef side = res.divergence() == null ? null
                    : store.put(ArtifactKeys.contrastive(r.jobId(), "divergence.jsonl"), res.divergence(), "application/x-ndjson");
            ArtifactRef summary = store.put(ArtifactKeys.contrastive(r.jobId(), "summary.json"), res.summary(), "application/json");
            metrics.pairs.increment(res.pairs());
            record(res.stats());
            return new ContrastiveResult(1, r.jobId(), dataset, side, summary, res.pairs(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            Djl.releaseFreeMemory(); // the job's buffers stay cached while it runs, not between jobs
        }
    }

    private void record(Map<String, Object> stats) {
        if (stats.get("filters") instanceof List<?> filters) {
            for (Object f : filters) {
                if (f instanceof Map<?, ?> m && m.get("filter") != null && m.get("removed") instanceof Number n) {
                    metrics.dropped(String.valueOf(m.get("filter")), n.doubleValue());
                }
            }
        }
    }
}
