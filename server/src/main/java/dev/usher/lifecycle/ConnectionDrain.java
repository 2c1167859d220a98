package dev.usher.lifecycle;

import dev.usher.accept.ConnectionTracker;
import dev.usher.app.DrainRequested;
import io.netty.channel.Channel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Asks every open connection to finish ({@link DrainRequested}), waits for them to close up to the
 * drain timeout, then closes the rest.
 */
final class ConnectionDrain {
  private static final long FORCED_CLOSE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final List<ConnectionTracker> trackers;

  ConnectionDrain(List<ConnectionTracker> trackers) {
    this.trackers = List.copyOf(trackers);
  }

  /** Called once the listeners are closed: no connection joins the trackers any more. */
  DrainSummary drain(Duration timeout, long startedNanos) throws InterruptedException {
    List<Channel> draining = new ArrayList<>();
    for (ConnectionTracker connections : trackers) {
      draining.addAll(connections.channels());
    }
    for (Channel channel : draining) {
      // Queued behind the channel's registration task, so the application's handlers are there
      // to receive the event even for a connection accepted a moment ago.
      channel
          .eventLoop()
          .execute(() -> channel.pipeline().fireUserEventTriggered(DrainRequested.INSTANCE));
    }
    awaitClosed(draining, System.nanoTime() + timeout.toNanos());
    int forced = 0;
    List<Channel> left = new ArrayList<>();
    for (Channel channel : draining) {
      if (channel.isOpen()) {
        forced++;
        left.add(channel);
        channel.close();
      }
    }
    awaitClosed(left, System.nanoTime() + FORCED_CLOSE_TIMEOUT_NANOS);
    return new DrainSummary(
        draining.size() - forced, forced, Duration.ofNanos(System.nanoTime() - startedNanos));
  }

  private static void awaitClosed(List<Channel> channels, long deadlineNanos)
      throws InterruptedException {
    for (Channel channel : channels) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return;
      }
      channel.closeFuture().await(left, TimeUnit.NANOSECONDS);
    }
  }
}
