package dev.usher.app.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What the lingering reader does on its own; the lingering close itself is shown over real sockets
 * by {@code LingeringCloseTest}.
 */
class LingeringReaderTest {
  private static final long SECONDS_30 = Duration.ofSeconds(30).toNanos();

  @Test
  void readsAgainOnAConnectionWhoseReadingWasPausedForASlowReader() {
    EmbeddedChannel channel = new EmbeddedChannel();
    channel.config().setAutoRead(false);

    channel.pipeline().addLast(new LingeringReader(SECONDS_30, SECONDS_30));

    assertTrue(channel.config().isAutoRead());
  }

  @Test
  void dropsWhatArrives() {
    EmbeddedChannel channel = new EmbeddedChannel(new LingeringReader(SECONDS_30, SECONDS_30));
    ByteBuf upload = EmbeddedHttpConnection.ascii("the rest of a refused upload");

    channel.writeInbound(upload);

    assertEquals(0, upload.refCnt());
    assertEquals(0, channel.inboundMessages().size());
  }
}
