package dev.usher.config;

import java.time.Duration;

/**
 * What usher measures beyond the JVM and process meters, and at what pace.
 *
 * @param acceptPath whether the accept-path meters are on (off only to measure their cost)
 * @param listenQueueSampleInterval how often the listen queue's depth is read from the kernel
 * @param listenQueuePeakWindow the rolling window of {@code server_listen_queue_peak}
 * @param eventLoopProbeInterval how often each event loop's lag is probed
 */
public record MetricsConfig(
    boolean acceptPath,
    Duration listenQueueSampleInterval,
    Duration listenQueuePeakWindow,
    Duration eventLoopProbeInterval) {}
