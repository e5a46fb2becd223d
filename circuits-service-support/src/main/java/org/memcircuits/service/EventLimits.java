package org.memcircuits.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Bounds on what a service accepts and writes, so that no event, of any size, can stop a channel. */
@ConfigMapping(prefix = "circuits.events")
public interface EventLimits {
    /** Event data larger than this (bytes, UTF-8) is refused before it is parsed. */
    @WithDefault("262144")
    int maxRequestBytes();

    /** Status messages and dead-letter reasons are cut to this many characters, noting the original length. */
    @WithDefault("4096")
    int maxReasonChars();

    /**
     * A dead-letter record keeps the original payload up to this many bytes; above it the record
     * carries the payload's sha256 and size instead, so it always fits the producer's 1 MB limit.
     */
    @WithDefault("524288")
    int maxDeadLetterPayloadBytes();
}
