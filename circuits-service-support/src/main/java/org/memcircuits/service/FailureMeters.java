package org.memcircuits.service;

import io.micrometer.core.instrument.Counter;

/** The counters a stage increments on its failure path. */
public record FailureMeters(Counter failures, Counter deadLettered) {}
