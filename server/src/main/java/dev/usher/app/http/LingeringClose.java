package dev.usher.app.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a connection ends after a refusal whose client may still be sending, such as an upload
 * refused with 413 halfway. Closing a socket with unread input makes the kernel answer with a
 * reset, and a client still writing then fails its write and often never reads the answer (a
 * Windows client loses it outright). So, as nginx's {@code lingering_close} does: the answer is
 * sent, the output shut (FIN), and whatever still arrives is read and dropped ({@link
 * LingeringReader}) until the client closes its side, is silent for {@code
 * server.lingering-timeout}, or {@code server.lingering-time} has passed. A lingering time of 0
 * closes at once.
 */
record LingeringClose(long timeoutNanos, long timeNanos) {
  private static final Logger log = LoggerFactory.getLogger(LingeringClose.class);
  private static final String NAME = "http-lingering-close";

  static LingeringClose of(Duration timeout, Duration time) {
    return new LingeringClose(timeout.toNanos(), time.toNanos());
  }

  /** Whether a connection already lingers: it has nothing more to send. */
  static boolean isLingering(Channel channel) {
    return channel instanceof DuplexChannel duplex && duplex.isOutputShutdown();
  }

  /** Once the answer is written: shuts the output and lingers, or closes when it cannot. */
  void afterWrite(ChannelFuture written) {
    Channel channel = written.channel();
    if (!written.isSuccess() || drainStarted(channel) || !canLinger(channel)) {
      channel.close();
      return;
    }
    if (channel.pipeline().get(NAME) != null) {
      return;
    }
    dropInput(channel);
    shutOutput(channel);
  }

  /**
   * How the drain ends a connection whose input may wait unread, its reading paused for a client
   * slow to read its answers: what the client sends from now on is dropped, not answered, and once
   * {@code flushed} (the answers already written) has gone out, the output is shut and the
   * connection lingers. Closing over unread input would make the kernel reset the connection and
   * throw away the answers still queued in the socket.
   */
  void dropInputAndLingerAfter(ChannelFuture flushed) {
    Channel channel = flushed.channel();
    if (!canLinger(channel)) {
      flushed.addListener(ChannelFutureListener.CLOSE);
      return;
    }
    dropInput(channel);
    flushed.addListener(
        written -> {
          if (written.isSuccess() && channel.isActive()) {
            shutOutput(channel);
          } else {
            channel.close();
          }
        });
  }

  private boolean canLinger(Channel channel) {
    return timeNanos > 0
        && channel instanceof DuplexChannel
        && channel.isActive()
        && channel.pipeline().get(HttpApplication.FIRST_BYTE) != null;
  }

  // Ahead of the HTTP handlers, so no byte reaches the codec again; behind usher's own, which
  // still count the bytes and close on the client's half-close.
  private void dropInput(Channel channel) {
    if (channel.pipeline().get(NAME) == null) {
      channel
          .pipeline()
          .addBefore(
              HttpApplication.FIRST_BYTE, NAME, new LingeringReader(timeoutNanos, timeNanos));
    }
  }

  private static void shutOutput(Channel channel) {
    ((DuplexChannel) channel)
        .shutdownOutput()
        .addListener(
            shut -> {
              if (shut.isSuccess()) {
                // Backpressure may have paused reading while the answers went out; a shut output
                // is never writable again, so it would not resume by itself.
                channel.config().setAutoRead(true);
              } else {
                log.debug("{}: cannot shut the output, closing", channel, shut.cause());
                channel.close();
              }
            });
  }

  // A drain that began while the answer was still being written has already passed this
  // connection by: lingering now would hold the drain up.
  private static boolean drainStarted(Channel channel) {
    return channel.pipeline().get(HttpApplication.KEEP_ALIVE)
            instanceof DrainingKeepAliveHandler keepAlive
        && keepAlive.draining();
  }
}
