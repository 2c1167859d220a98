package dev.usher.accept;

import dev.usher.metrics.TcpInfoReader;
import io.netty.channel.Channel;
import io.netty.channel.unix.UnixChannel;
import io.netty.util.AttributeKey;

/**
 * {@code server.overload.accept-queue-timeout} on one listener: a connection that waited longer in
 * the kernel's accept queue (the kernel's own {@code tcpi_last_ack_recv}) has likely been given up
 * by its client, and serving it would only delay the fresh ones behind it. Where the listener
 * speaks plain HTTP and the request has already arrived, it is answered {@code 503} (marked here,
 * answered by the HTTP connection); any other is reset. Confined to the listener's boss loop.
 */
public final class QueueTimeout {
  private static final AttributeKey<Boolean> WAITED_TOO_LONG =
      AttributeKey.valueOf("usher.waited-too-long");

  enum Verdict {
    SERVE,
    ANSWER_TOO_LATE,
    RESET
  }

  private final long timeoutMillis;
  private final boolean answersPlainHttp;
  private TcpInfoReader reader;

  /**
   * @param timeoutMillis zero: off
   * @param answersPlainHttp whether the listener speaks HTTP without TLS, so that a request that
   *     already arrived can be answered without a handshake
   */
  public QueueTimeout(long timeoutMillis, boolean answersPlainHttp) {
    this.timeoutMillis = timeoutMillis;
    this.answersPlainHttp = answersPlainHttp;
  }

  /** On the boss loop, before the first connection. */
  void start() {
    if (timeoutMillis > 0) {
      reader = TcpInfoReader.create().orElse(null);
    }
  }

  void stop() {
    if (reader != null) {
      reader.close();
      reader = null;
    }
  }

  Verdict judge(Channel connection) {
    if (reader == null
        || !(connection instanceof UnixChannel unix)
        || !reader.readAccepted(unix)
        || reader.millisSinceLastAckReceived() <= timeoutMillis) {
      return Verdict.SERVE;
    }
    if (answersPlainHttp && reader.receivedData()) {
      connection.attr(WAITED_TOO_LONG).set(Boolean.TRUE);
      return Verdict.ANSWER_TOO_LATE;
    }
    return Verdict.RESET;
  }

  /** Whether {@code connection} waited too long in the accept queue and is to be answered 503. */
  public static boolean waitedTooLong(Channel connection) {
    return connection.hasAttr(WAITED_TOO_LONG);
  }
}
