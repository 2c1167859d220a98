package dev.usher.app.http;

import static dev.usher.app.http.EmbeddedHttpConnection.ascii;
import static dev.usher.app.http.EmbeddedHttpConnection.sent;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.app.DrainRequested;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/**
 * The drain arriving between an answer's write and its flush. A real socket cannot force that
 * interleaving, but the io_uring transport produces it: when more bytes are waiting it delivers
 * {@code channelRead} and {@code channelReadComplete} (where the HTTP routes flush) in separate
 * completions, and the event loop runs queued tasks, such as the drain, in between. Hence an
 * embedded channel with the application's real pipeline.
 */
class DrainingKeepAliveHandlerTest {

  @Test
  void drainOfAConnectionWithAnsweredButUnflushedRequestsSendsTheAnswersBeforeClosing() {
    EmbeddedChannel channel = EmbeddedHttpConnection.open();

    // Read, answered, not yet flushed: the read batch has not completed.
    channel.pipeline().fireChannelRead(ascii("GET / HTTP/1.1\r\nHost: usher\r\n\r\n"));
    assertTrue(channel.outboundMessages().isEmpty(), "precondition: the answer is not flushed yet");

    channel.pipeline().fireUserEventTriggered(DrainRequested.INSTANCE);
    channel.runPendingTasks();

    String sent = sent(channel);
    assertTrue(
        sent.startsWith("HTTP/1.1 200 OK\r\n"),
        "the answer must be sent before the close, got: " + sent);
    assertTrue(sent.endsWith("hello from usher\n"), sent);
    assertFalse(channel.isOpen(), "the connection closes after the answer");
  }
}
