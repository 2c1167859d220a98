package dev.usher.app.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The HTTP application's real pipeline on an embedded channel, for what sockets cannot show. */
final class EmbeddedHttpConnection {
  private EmbeddedHttpConnection() {}

  /** A connection just accepted: the application has initialised it, nothing has arrived yet. */
  static EmbeddedChannel open() {
    return open(Duration.ofSeconds(30));
  }

  /** The same, with this {@code http.request-timeout}. */
  static EmbeddedChannel open(Duration requestTimeout) {
    EmbeddedChannel channel = new EmbeddedChannel();
    new HttpApplication(
            new HttpLimits(
                4096, 8192, 1 << 20, requestTimeout, Duration.ofSeconds(5), Duration.ofSeconds(30)),
            ChannelDuplexHandler::new)
        .initConnection(channel.pipeline());
    return channel;
  }

  static ByteBuf ascii(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
  }

  /** Everything written to the connection so far, as text. */
  static String sent(EmbeddedChannel channel) {
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
