package dev.usher.accept;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;

/** How usher turns a connection away: a reset ({@code SO_LINGER 0}), so no TIME_WAIT is left. */
public final class Refusal {
  private Refusal() {}

  /** Closes {@code connection} with a reset; it may be on any loop, or already gone. */
  public static void reset(Channel connection) {
    try {
      connection.config().setOption(ChannelOption.SO_LINGER, 0);
    } catch (RuntimeException ignored) {
      // The client may already have gone; closing is all that is left to do.
    }
    connection.close();
  }
}
