package dev.usher.lifecycle;

import dev.usher.accept.ConnectionTracker;
import dev.usher.app.DrainRequested;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroupFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Asks every open connection to finish ({@link DrainRequested}), waits for them to close up to the
 * drain timeout, then closes the rest.
 */
final class ConnectionDrain {
  private static final long FORCED_CLOSE_TIMEOUT_SECONDS = 5;

  private final List<ConnectionTracker> trackers;

  ConnectionDrain(List<ConnectionTracker> trackers) {
    this.trackers = List.copyOf(trackers);
  }

  DrainSummary drain(Duration timeout, long startedNanos) throws InterruptedException {
    int open = 0;
    List<ChannelGroupFuture> allClosed = new ArrayList<>();
    for (ConnectionTracker connections : trackers) {
      open += connections.openConnections();
      allClosed.add(connections.channels().newCloseFuture());
      for (Channel channel : connections.channels()) {
        // Queued behind the channel's registration task, so the application's handlers are there
        // to receive the event even for a connection accepted a moment ago.
        channel
            .eventLoop()
            .execute(() -> channel.pipeline().fireUserEventTriggered(DrainRequested.INSTANCE));
      }
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    for (ChannelGroupFuture closed : allClosed) {
      closed.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
    int forced = 0;
    for (ConnectionTracker connections : trackers) {
      int left = connections.channels().size();
      if (left > 0) {
        forced += left;
        connections.channels().close().await(FORCED_CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
    }
    return new DrainSummary(
        Math.max(0, open - forced), forced, Duration.ofNanos(System.nanoTime() - startedNanos));
  }
}
