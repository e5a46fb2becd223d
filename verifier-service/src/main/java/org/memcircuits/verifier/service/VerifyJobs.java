package org.memcircuits.verifier.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.contracts.ArtifactKeys;
import org.memcircuits.contracts.ArtifactRef;
import org.memcircuits.contracts.VerifyRequest;
import org.memcircuits.contracts.VerifyResult;
import org.memcircuits.engine.Djl;
import org.memcircuits.service.ModelCache;
import org.memcircuits.verifier.config.VerifierConfig;
import org.memcircuits.verify.CircuitVerifier;
import org.memcircuits.verify.VerifyRunner;

/** Runs one verification with the same code as {@code circuits verify} and stores result and report. */
@ApplicationScoped
public class VerifyJobs {
    private final ArtifactStore store;
    private final ModelCache models;
    private final VerifierMetrics metrics;
    private final Path work;

    public VerifyJobs(ArtifactStore store, ModelCache models, VerifierMetrics metrics, VerifierConfig config) {
        this.store = store;
        this.models = models;
        this.metrics = metrics;
        this.work = config.workDir();
    }

    public VerifyResult run(VerifyRequest r) {
        Path dir = work.resolve(r.jobId());
        try {
            Files.createDirectories(dir);
            Path dataset = store.download(r.dataset(), dir.resolve("dataset.json"));
            Path scores = store.download(r.scores(), dir.resolve("prune_scores.safetensors"));
            Path train = r.trainDataset() == null ? null : store.download(r.trainDataset(), dir.resolve("train.json"));
            VerifyRunner.Outcome o = VerifyRunner.run(models.get(r.model()), r, dataset, scores, train, false, false, false,
                    dir.resolve("out"));
            for (CircuitVerifier.Row row : o.report().rows()) {
                metrics.circuitsEvaluated.increment();
                if (row.betterThanRandom()) {
                    metrics.betterThanRandom.increment();
                }
            }
            ArtifactRef result = store.put(ArtifactKeys.verify(r.jobId(), "result.json"), o.result(), "application/json");
            ArtifactRef report = store.put(ArtifactKeys.verify(r.jobId(), "report.html"), o.html(), "text/html");
            return new VerifyResult(1, r.jobId(), result, report, r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            Djl.releaseFreeMemory(); // the job's buffers stay cached while it runs, not between jobs
        }
    }
}
