package org.memcircuits.verifier.config;

import io.smallrye.config.ConfigMapping;
import java.nio.file.Path;

/** Settings of the verifier stage; per-job parameters travel in the request. */
@ConfigMapping(prefix = "verifier")
public interface VerifierConfig {
    /** Local scratch space: downloaded inputs and the report before upload. */
    Path workDir();
}
