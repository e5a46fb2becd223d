package org.memcircuits.contrastive.service.config;

import io.smallrye.config.ConfigMapping;
import java.nio.file.Path;

/** Settings of the contrastive stage; per-job parameters travel in the request. */
@ConfigMapping(prefix = "contrastive")
public interface ContrastiveConfig {
    /** Local scratch space: downloaded scores and output files before upload. */
    Path workDir();
}
