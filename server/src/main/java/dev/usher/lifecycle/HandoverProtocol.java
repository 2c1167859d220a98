package dev.usher.lifecycle;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The listener hand-over's conversation on {@code lifecycle.handover-path}, one text line a message
 * except the descriptors themselves:
 *
 * <ol>
 *   <li>giver: {@code usher-handover 1 pid=<pid> sockets=admin,main} (the names in the order the
 *       descriptors will come);
 *   <li>taker: {@code send}, once it reads descriptors rather than bytes;
 *   <li>giver: one {@code SCM_RIGHTS} message per socket;
 *   <li>taker: {@code ready}, once it accepts on them;
 *   <li>giver: {@code released}, once it has stopped accepting and removed its socket file.
 * </ol>
 *
 * <p>The steps wait for each other because a byte read that meets a descriptor drops it: the taker
 * reads bytes, or descriptors, never both at once.
 */
final class HandoverProtocol {
  static final String SEND = "send";
  static final String READY = "ready";
  static final String RELEASED = "released";
  static final String ADMIN_SOCKET = "admin";
  private static final String OFFER_PREFIX = "usher-handover 1 ";
  private static final int MAX_LINE_BYTES = 4096;

  private HandoverProtocol() {}

  /** The giver's first line. */
  record Offer(long pid, List<String> sockets) {
    String line() {
      return OFFER_PREFIX + "pid=" + pid + " sockets=" + String.join(",", sockets);
    }

    static Optional<Offer> parse(String line) {
      if (!line.startsWith(OFFER_PREFIX)) {
        return Optional.empty();
      }
      String[] fields = line.substring(OFFER_PREFIX.length()).split(" ");
      if (fields.length != 2
          || !fields[0].startsWith("pid=")
          || !fields[1].startsWith("sockets=")) {
        return Optional.empty();
      }
      try {
        long pid = Long.parseLong(fields[0].substring("pid=".length()));
        List<String> sockets = Arrays.asList(fields[1].substring("sockets=".length()).split(","));
        return sockets.isEmpty() ? Optional.empty() : Optional.of(new Offer(pid, sockets));
      } catch (NumberFormatException notAPid) {
        return Optional.empty();
      }
    }
  }

  /** Lines in and out; descriptors pass the codecs untouched. */
  static void addLineCodec(ChannelPipeline pipeline) {
    pipeline
        .addLast(new LineBasedFrameDecoder(MAX_LINE_BYTES))
        .addLast(new StringDecoder(StandardCharsets.US_ASCII))
        .addLast(new StringEncoder(StandardCharsets.US_ASCII));
  }
}
