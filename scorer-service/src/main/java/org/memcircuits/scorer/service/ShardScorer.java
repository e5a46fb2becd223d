package org.memcircuits.scorer.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.jboss.logging.Logger;
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.contracts.ArtifactKeys;
import org.memcircuits.contracts.ArtifactRef;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.ScoreShard;
import org.memcircuits.contracts.ScoreShardDone;
import org.memcircuits.contracts.ScoreStats;
import org.memcircuits.corpus.Corpus;
import org.memcircuits.corpus.CorpusOptions;
import org.memcircuits.corpus.CorpusReader;
import org.memcircuits.corpus.Document;
import org.memcircuits.engine.Djl;
import org.memcircuits.memorization.MemorizationScorer;
import org.memcircuits.scorer.config.ScorerConfig;
import org.memcircuits.service.ModelCache;

/**
 * Scores one shard into a JSONL artifact plus a stats sidecar. Idempotent: a shard whose artifact
 * already exists is announced again, not recomputed.
 */
@ApplicationScoped
public class ShardScorer {
    private static final Logger LOG = Logger.getLogger(ShardScorer.class);
    private static final String NDJSON = "application/x-ndjson";

    private final ArtifactStore store;
    private final CorpusCache corpora;
    private final ModelCache models;
    private final ScorerMetrics metrics;
    private final Path work;

    public ShardScorer(ArtifactStore store, CorpusCache corpora, ModelCache models, ScorerMetrics metrics, ScorerConfig config) {
        this.store = store;
        this.corpora = corpora;
        this.models = models;
        this.metrics = metrics;
        this.work = config.workDir().resolve("shards");
    }

    public ScoreShardDone score(ScoreShard shard, LongConsumer progress) {
        String key = ArtifactKeys.scoreShard(shard.jobId(), shard.shardIndex());
        String statsKey = key + ".stats.json";
        Optional<ArtifactRef> existing = store.find(key);
        Optional<ArtifactRef> existingStats = store.find(statsKey);
        if (existing.isPresent() && existingStats.isPresent()) {
            LOG.infof("job %s shard %d already scored; announcing it again", shard.jobId(), shard.shardIndex());
            ScoreStats stats = EventCodec.fromJson(new String(store.read(existingStats.get()), StandardCharsets.UTF_8),
                    ScoreStats.class);
            return done(shard, existing.get(), stats);
        }
        var r = shard.request();
        Path corpus = corpora.local(r.corpus());
        MemorizationScorer scorer =
                new MemorizationScorer(models.get(r.model()), r.promptTokens(), r.generationTokens(), r.batchSize());
        Path out;
        ScoreStats stats;
        try {
            Files.createDirectories(work);
            out = Files.createTempFile(work, shard.jobId() + "-" + shard.shardIndex() + "-", ".jsonl");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long started = System.nanoTime();
        try (CorpusReader reader = Corpus.open(corpus,
                CorpusOptions.of(r.textField()).skippingInvalid().range(shard.fromDocument(), shard.toDocument()))) {
            stats = scorer.scoreToJsonl(MemorizationScorer.documents(reader, Document::index, Document::text), out,
                    progress::accept);
            long invalid = reader.skipped();
            stats = stats.plus(new ScoreStats(invalid, 0, 0, invalid, new long[r.generationTokens() + 1], 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            deleteQuietly(out);
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
        } finally {
            Djl.releaseFreeMemory(); // the shard's buffers stay cached while it runs, not between shards
        }
        ArtifactRef ref = store.put(key, out, NDJSON);
        store.put(statsKey, EventCodec.toJson(stats).getBytes(StandardCharsets.UTF_8), "application/json");
        deleteQuietly(out);
        metrics.shardDuration.record(java.time.Duration.ofNanos(System.nanoTime() - started));
        metrics.shardsScored.increment();
        metrics.documentsScored.increment(stats.scored());
        metrics.documentsSkipped.increment(stats.skippedShort() + stats.skippedInvalid());
        metrics.tokensGenerated.increment(stats.generatedTokens());
        return done(shard, ref, stats);
    }

    private static ScoreShardDone done(ScoreShard s, ArtifactRef ref, ScoreStats stats) {
        return new ScoreShardDone(1, s.jobId(), s.shardIndex(), s.shardCount(), ref, stats, s.request());
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // scratch space; the next run overwrites or the OS cleans it
        }
    }
}
