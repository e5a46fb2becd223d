package org.memcircuits.discovery.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.circuit.DiscoveryRunner;
import org.memcircuits.circuit.MinimalCircuitSearch;
import org.memcircuits.contracts.ArtifactKeys;
import org.memcircuits.contracts.ArtifactRef;
import org.memcircuits.contracts.DiscoveryRequest;
import org.memcircuits.contracts.DiscoveryResult;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.discovery.config.DiscoveryConfig;
import org.memcircuits.engine.Djl;
import org.memcircuits.service.ModelCache;

/**
 * Runs one discovery job with the same code as {@code circuits discover} and stores its four files;
 * a job whose files already exist is not run again.
 */
@ApplicationScoped
public class DiscoveryJobs {
    private static final Map<String, String> MEDIA = Map.of("prune_scores.safetensors", "application/octet-stream",
            "graph.json", "application/json", "result.json", "application/json", "circuit.svg", "image/svg+xml");

    private final ArtifactStore store;
    private final ModelCache models;
    private final DiscoveryMetrics metrics;
    private final Path work;

    public DiscoveryJobs(ArtifactStore store, ModelCache models, DiscoveryMetrics metrics, DiscoveryConfig config) {
        this.store = store;
        this.models = models;
        this.metrics = metrics;
        this.work = config.workDir();
    }

    public interface Progress {
        void attribution(int batch, int batches, int step, int steps);
    }

    public DiscoveryResult run(DiscoveryRequest r, Progress progress) {
        Map<String, ArtifactRef> refs = new HashMap<>();
        for (String f : DiscoveryRunner.FILES) {
            store.find(ArtifactKeys.discovery(r.jobId(), f)).ifPresent(ref -> refs.put(f, ref));
        }
        if (refs.size() < DiscoveryRunner.FILES.size()) {
            refs.clear();
            Path dir = work.resolve(r.jobId());
            try {
                Files.createDirectories(dir);
                Path dataset = store.download(r.dataset(), dir.resolve("dataset.json"));
                DiscoveryRunner.run(models.get(r.model()), r.model(), dataset, r.params(), dir.resolve("out"),
                        new DiscoveryRunner.Progress() {
                            @Override
                            public void attribution(int b, int bs, int s, int ss) {
                                metrics.igSteps.increment();
                                progress.attribution(b, bs, s, ss);
                            }

                            @Override
                            public void evaluation(MinimalCircuitSearch.Evaluation e) {
                                metrics.searchEvaluations.increment();
                            }
                        });
                // Outputs are uploaded (and verified) before the event that names them is sent.
                for (String f : DiscoveryRunner.FILES) {
                    refs.put(f, store.put(ArtifactKeys.discovery(r.jobId(), f), dir.resolve("out").resolve(f), MEDIA.get(f)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                Djl.releaseFreeMemory(); // the job's buffers stay cached while it runs, not between jobs
            }
        }
        com.fasterxml.jackson.databind.JsonNode result;
        try {
            result = EventCodec.mapper().readTree(store.read(refs.get("result.json")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Integer minimal = result.has("minimal_edges") ? result.get("minimal_edges").asInt() : null;
        Double faithfulness = result.has("faithfulness") ? result.get("faithfulness").asDouble() : null;
        metrics.edgesScored.increment(result.path("total_edges").asDouble());
        return new DiscoveryResult(1, r.jobId(), refs.get("prune_scores.safetensors"), refs.get("graph.json"),
                refs.get("result.json"), refs.get("circuit.svg"), minimal, faithfulness, r);
    }

}
