package org.memcircuits.discovery.config;

import io.smallrye.config.ConfigMapping;
import java.nio.file.Path;

/** Settings of the discovery stage; per-job parameters travel in the request. */
@ConfigMapping(prefix = "discovery")
public interface DiscoveryConfig {
    /** Local scratch space: downloaded datasets and output files before upload. */
    Path workDir();
}
