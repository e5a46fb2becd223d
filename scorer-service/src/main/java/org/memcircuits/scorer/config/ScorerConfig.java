package org.memcircuits.scorer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;

/** Settings of the scorer stage; per-job parameters travel in the request instead. */
@ConfigMapping(prefix = "scorer")
public interface ScorerConfig {
    /** Local scratch space: downloaded corpora (by digest) and shard files before upload. */
    Path workDir();

    /** Partitions of the shard topic: the most replicas that can work on one job at once. */
    @WithDefault("8")
    int shardPartitions();

    /** Emit a progress event at most every this many documents of a shard. */
    @WithDefault("64")
    int progressEvery();
}
