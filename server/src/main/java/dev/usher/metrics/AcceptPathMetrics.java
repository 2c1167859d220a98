package dev.usher.metrics;

import dev.usher.config.MetricsConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.unix.UnixChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything usher measures on one listening socket's accept path: the kernel's view of its listen
 * queue, and per connection the accept-queue wait, the hand-off to a worker, bytes and lifetime.
 * (The kernel's drop counters count for the whole network namespace: {@link ServerMetrics}.) A
 * meter that cannot be measured here is absent, and the reason is logged once.
 */
public final class AcceptPathMetrics implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AcceptPathMetrics.class);

  private final MeterRegistry registry;
  private final ListenQueueSampler sampler;
  private final String listener;
  private final MetricsConfig config;
  private final AcceptPathMeters meters;
  private final boolean kernelReadable;
  private ListenQueueProbe probe;

  private AcceptPathMetrics(
      ServerMetrics metrics, String listener, MetricsConfig config, boolean nativeSockets) {
    this.registry = metrics.registry();
    this.sampler = metrics.listenQueueSampler();
    this.listener = listener;
    this.config = config;
    this.kernelReadable = nativeSockets && TcpInfoReader.isSupported();
    this.meters = new AcceptPathMeters(registry, listener, kernelReadable);
    if (!kernelReadable) {
      log.info(
          "listener {}: server_listen_queue_* and server_accept_queue_wait_seconds are absent: {}",
          listener,
          nativeSockets
              ? TcpInfoReader.unsupportedReason()
              : "the nio transport gives no socket descriptor to ask the kernel about");
    }
  }

  /**
   * @param nativeSockets whether the transport's sockets have file descriptors (io_uring, epoll)
   */
  public static AcceptPathMetrics create(
      ServerMetrics metrics, String listener, MetricsConfig config, boolean nativeSockets) {
    return new AcceptPathMetrics(metrics, listener, config, nativeSockets);
  }

  /** What the accept path's handlers record into. */
  public AcceptPathMeters meters() {
    return meters;
  }

  /** Starts sampling the bound listener's queue, when the kernel can be asked. */
  public void startListenQueueProbe(Channel boundListener) {
    if (kernelReadable && boundListener instanceof UnixChannel unix) {
      probe =
          new ListenQueueProbe(
              registry, sampler, listener, unix.fd().intValue(), config.listenQueuePeakWindow());
      probe.start(config.listenQueueSampleInterval());
    }
  }

  /** Stops the listen-queue probe; call before the listener closes. */
  @Override
  public void close() {
    if (probe != null) {
      probe.close();
      probe = null;
    }
  }
}
