package dev.usher.app.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.app.DrainRequested;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A connection holds no HTTP handlers until its first bytes arrive; those bytes then reach the
 * codec unchanged. Served end to end over real sockets by every HTTP test; this one looks at the
 * pipeline itself, which only an embedded channel shows.
 */
class HttpSetupOnFirstByteTest {
  private static final List<String> HTTP_HANDLERS =
      List.of(
          "http-first-byte",
          "http-codec",
          "http-meters",
          "http-assembler",
          "http-request-deadline",
          "http-keep-alive",
          "http-routes");

  @Test
  void aConnectionThatHasSentNothingHoldsOnlyTheStandIn() {
    EmbeddedChannel channel = httpConnection();

    assertEquals(List.of("http-setup"), handlerNames(channel));
  }

  @Test
  void theFirstBytesPutTheHttpHandlersInPlaceAndReachTheCodec() {
    EmbeddedChannel channel = httpConnection();

    // One byte alone, then the rest: the byte that triggered the setup is not lost.
    channel.writeInbound(ascii("G"));
    assertEquals(HTTP_HANDLERS, handlerNames(channel));
    channel.writeInbound(ascii("ET / HTTP/1.1\r\nHost: usher\r\n\r\n"));

    String sent = outbound(channel);
    assertTrue(sent.startsWith("HTTP/1.1 200 OK\r\n"), sent);
    assertTrue(sent.endsWith("hello from usher\n"), sent);
    assertTrue(channel.isOpen());
  }

  @Test
  void aDrainClosesAConnectionThatHasSentNothing() {
    EmbeddedChannel channel = httpConnection();

    channel.pipeline().fireUserEventTriggered(DrainRequested.INSTANCE);
    channel.runPendingTasks();

    assertFalse(channel.isOpen());
    assertNull(channel.readOutbound());
  }

  private static EmbeddedChannel httpConnection() {
    EmbeddedChannel channel = new EmbeddedChannel();
    new HttpApplication(
            new HttpLimits(4096, 8192, 1 << 20, Duration.ofSeconds(30)), ChannelDuplexHandler::new)
        .initConnection(channel.pipeline());
    return channel;
  }

  private static List<String> handlerNames(EmbeddedChannel channel) {
    return channel.pipeline().names().stream().filter(name -> name.startsWith("http-")).toList();
  }

  private static ByteBuf ascii(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
  }

  private static String outbound(EmbeddedChannel channel) {
    StringBuilder sent = new StringBuilder();
    for (Object message = channel.readOutbound();
        message != null;
        message = channel.readOutbound()) {
      ByteBuf bytes = (ByteBuf) message;
      sent.append(bytes.toString(StandardCharsets.US_ASCII));
      bytes.release();
    }
    return sent.toString();
  }
}
