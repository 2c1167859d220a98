package dev.usher.connection;

import io.netty.channel.socket.DuplexChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Shuts a connection's output (a FIN after the last answer) and then reads again. */
public final class OutputShutdown {
  private static final Logger log = LoggerFactory.getLogger(OutputShutdown.class);

  private OutputShutdown() {}

  /**
   * Shuts the output; once shut, turns reading on (a shut output is never writable again, so a
   * pause for a slow reader would never end) and runs {@code onShut}. Closes the channel when the
   * output cannot be shut.
   */
  public static void shut(DuplexChannel channel, Runnable onShut) {
    channel
        .shutdownOutput()
        .addListener(
            shut -> {
              if (!shut.isSuccess()) {
                log.debug("{}: cannot shut the output, closing", channel, shut.cause());
                channel.close();
                return;
              }
              channel.config().setAutoRead(true);
              onShut.run();
            });
  }
}
