package dev.usher.app.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.app.DrainRequested;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
    EmbeddedChannel channel = new EmbeddedChannel();
    new HttpApplication(
            new HttpLimits(4096, 8192, 1 << 20, Duration.ofSeconds(30)), ChannelDuplexHandler::new)
        .initConnection(channel.pipeline());

    // Read, answered, not yet flushed: the read batch has not completed.
    channel.pipeline().fireChannelRead(ascii("GET / HTTP/1.1\r\nHost: usher\r\n\r\n"));
    assertTrue(channel.outboundMessages().isEmpty(), "precondition: the answer is not flushed yet");

    channel.pipeline().fireUserEventTriggered(DrainRequested.INSTANCE);
    channel.runPendingTasks();

    String sent = drainOutbound(channel);
    assertTrue(
        sent.startsWith("HTTP/1.1 200 OK\r\n"),
        "the answer must be sent before the close, got: " + sent);
    assertTrue(sent.endsWith("hello from usher\n"), sent);
    assertFalse(channel.isOpen(), "the connection closes after the answer");
  }

  private static ByteBuf ascii(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
  }

  private static String drainOutbound(EmbeddedChannel channel) {
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
