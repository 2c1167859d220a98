package dev.usher.connection;

import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lingering close, as nginx's {@code lingering_close}: the connection's output is shut (a FIN
 * after the last answer) and what the client still sends is read and dropped until it has been
 * silent for the lingering timeout (checked every quarter of it, so after between one and 1.25
 * times that silence) or the lingering time has passed since the output was shut. The connection's
 * timer asks {@link #nextCheck}; reads only raise a flag ({@link #heard}).
 */
public final class Lingering {
  private static final Logger log = LoggerFactory.getLogger(Lingering.class);
  private static final long NOT_STARTED = Long.MIN_VALUE;

  private final long timeoutNanos;
  private final long timeNanos;
  private long startNanos = NOT_STARTED;
  private long heardNanos;
  private boolean heardSinceCheck;

  private Lingering(long timeoutNanos, long timeNanos) {
    this.timeoutNanos = timeoutNanos;
    this.timeNanos = timeNanos;
  }

  /**
   * Shuts {@code channel}'s output and lingers, timed by {@code timer} from the moment the output
   * is shut. Null when the connection cannot linger (a lingering time of 0, a channel without
   * halves to shut, one already closed): the caller closes it instead.
   */
  public static Lingering start(
      Channel channel, long timeoutNanos, long timeNanos, ConnectionTimer timer) {
    if (timeNanos == 0 || !channel.isActive() || !(channel instanceof DuplexChannel duplex)) {
      return null;
    }
    Lingering lingering = new Lingering(timeoutNanos, timeNanos);
    // Over TLS the FIN follows a close_notify, so that the client knows its answers are whole.
    SslHandler tls = channel.pipeline().get(SslHandler.class);
    Future<?> tlsClosed = tls == null ? channel.newSucceededFuture() : tls.closeOutbound();
    tlsClosed.addListener(notified -> shutOutput(channel, duplex, lingering, timer));
    return lingering;
  }

  private static void shutOutput(
      Channel channel, DuplexChannel duplex, Lingering lingering, ConnectionTimer timer) {
    duplex
        .shutdownOutput()
        .addListener(
            shut -> {
              if (!shut.isSuccess()) {
                log.debug("{}: cannot shut the output, closing", channel, shut.cause());
                channel.close();
                return;
              }
              // A shut output is never writable again: a pause for a slow reader would not end.
              channel.config().setAutoRead(true);
              long now = timer.nanoTime();
              lingering.startNanos = lingering.heardNanos = now;
              timer.checkIn(lingering.nextCheck(now));
            });
  }

  /** The client sent something. */
  public void heard() {
    heardSinceCheck = true;
  }

  /** At a check: {@link ConnectionTimer#OVER}, or how long until the next check. */
  public long nextCheck(long nowNanos) {
    long interval = Math.max(1, timeoutNanos / ConnectionTimer.CHECKS_PER_TIMEOUT);
    if (startNanos == NOT_STARTED) {
      // The answers are still going out: the linger counts from the shut output.
      return interval;
    }
    if (heardSinceCheck) {
      heardSinceCheck = false;
      heardNanos = nowNanos;
    }
    if (nowNanos - heardNanos >= timeoutNanos || nowNanos - startNanos >= timeNanos) {
      return ConnectionTimer.OVER;
    }
    return Math.min(interval, startNanos + timeNanos - nowNanos);
  }
}
