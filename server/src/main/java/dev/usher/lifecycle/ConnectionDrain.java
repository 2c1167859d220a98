package dev.usher.lifecycle;

import dev.usher.accept.ConnectionTracker;
import dev.usher.app.DrainRequested;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroupFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Asks every open connection to finish ({@link DrainRequested}), waits for them to close up to the
 * drain timeout, then closes the rest.
 */
final class ConnectionDrain {
  private final ConnectionTracker connections;

  ConnectionDrain(ConnectionTracker connections) {
    this.connections = connections;
  }

  DrainSummary drain(Duration timeout, long startedNanos) throws InterruptedException {
    int open = connections.openConnections();
    ChannelGroupFuture allClosed = connections.channels().newCloseFuture();
    for (Channel channel : connections.channels()) {
      // Queued behind the channel's registration task, so the application's handlers are there
      // to receive the event even for a connection accepted a moment ago.
      channel.eventLoop().execute(() -> channel.pipeline().fireUserEventTriggered(DrainRequested.INSTANCE));
    }
    allClosed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    int forced = connections.channels().size();
    if (forced > 0) {
      connections.channels().close().await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
    return new DrainSummary(
        Math.max(0, open - forced), forced, Duration.ofNanos(System.nanoTime() - startedNanos));
  }
}
