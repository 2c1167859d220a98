package dev.usher.app.http;

import static dev.usher.app.http.EmbeddedHttpConnection.ascii;
import static dev.usher.app.http.EmbeddedHttpConnection.sent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.app.DrainRequested;
import io.netty.channel.embedded.EmbeddedChannel;
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
    EmbeddedChannel channel = EmbeddedHttpConnection.open();

    assertEquals(List.of("http-setup"), handlerNames(channel));
  }

  @Test
  void theFirstBytesPutTheHttpHandlersInPlaceAndReachTheCodec() {
    EmbeddedChannel channel = EmbeddedHttpConnection.open();

    // One byte alone, then the rest: the byte that triggered the setup is not lost.
    channel.writeInbound(ascii("G"));
    assertEquals(HTTP_HANDLERS, handlerNames(channel));
    channel.writeInbound(ascii("ET / HTTP/1.1\r\nHost: usher\r\n\r\n"));

    String sent = sent(channel);
    assertTrue(sent.startsWith("HTTP/1.1 200 OK\r\n"), sent);
    assertTrue(sent.endsWith("hello from usher\n"), sent);
    assertTrue(channel.isOpen());
  }

  @Test
  void aDrainClosesAConnectionThatHasSentNothing() {
    EmbeddedChannel channel = EmbeddedHttpConnection.open();

    channel.pipeline().fireUserEventTriggered(DrainRequested.INSTANCE);
    channel.runPendingTasks();

    assertFalse(channel.isOpen());
    assertNull(channel.readOutbound());
  }

  private static List<String> handlerNames(EmbeddedChannel channel) {
    return channel.pipeline().names().stream().filter(name -> name.startsWith("http-")).toList();
  }
}
