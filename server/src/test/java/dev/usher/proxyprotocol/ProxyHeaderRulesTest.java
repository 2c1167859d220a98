package dev.usher.proxyprotocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.connection.ClientAddress;
import dev.usher.connection.PipelineNames;
import dev.usher.testing.EmbeddedTime;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The PROXY protocol header's rules on an embedded connection: from a trusted source the header's
 * address becomes the client's and the bytes after it pass on untouched; a bad header or none in
 * time is refused; from any other source a header is refused and anything else passes.
 */
class ProxyHeaderRulesTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final byte[] REQUEST =
      "GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final MockTicker ticker = Ticker.newMockTicker();
  private final Counter refused = new SimpleMeterRegistry().counter("refused");
  private EmbeddedChannel channel;

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  private EmbeddedChannel trusted() {
    channel =
        EmbeddedChannel.builder()
            .ticker(ticker)
            .handlers(
                new HAProxyMessageDecoder(), new ProxyHeaderReceiver(TIMEOUT.toNanos(), refused))
            .build();
    return channel;
  }

  private EmbeddedChannel untrusted() {
    channel =
        EmbeddedChannel.builder().ticker(ticker).handlers(new ProxyHeaderGuard(refused)).build();
    return channel;
  }

  @Test
  void aV1HeaderNamesTheClientAndTheRequestBehindItPassesWhole() {
    trusted().writeInbound(buffer(ProxyHeaders.v1("203.0.113.7", 4242, "10.0.0.1", 443), REQUEST));

    assertEquals(new InetSocketAddress("203.0.113.7", 4242), ClientAddress.of(channel));
    assertArrayEquals(REQUEST, inbound());
    assertEquals(0, refused.count());
    assertNull(channel.pipeline().get(HAProxyMessageDecoder.class), "the decoder stepped aside");
    assertNull(channel.pipeline().get(ProxyHeaderReceiver.class), "the receiver stepped aside");
  }

  @Test
  void aV2HeaderArrivingOneByteAtATimeNamesTheClient() throws Exception {
    trusted();
    for (byte b : ProxyHeaders.v2("203.0.113.7", 4242, "10.0.0.1", 443)) {
      channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
    }
    channel.writeInbound(Unpooled.wrappedBuffer(REQUEST));

    assertEquals(new InetSocketAddress("203.0.113.7", 4242), ClientAddress.of(channel));
    assertArrayEquals(REQUEST, inbound());
  }

  @Test
  void aLocalHeaderKeepsThePeersAddress() {
    trusted().writeInbound(buffer(ProxyHeaders.v2Local(), REQUEST));

    assertEquals(channel.remoteAddress(), ClientAddress.of(channel));
    assertArrayEquals(REQUEST, inbound());
  }

  @Test
  void aTrustedSourceThatSendsNoHeaderIsRefused() {
    trusted().writeInbound(Unpooled.wrappedBuffer(REQUEST));

    assertFalse(channel.isOpen());
    assertNull(channel.readInbound());
    assertEquals(1, refused.count());
  }

  @Test
  void aV1HeaderLongerThanTheSpecAllowsIsRefused() {
    byte[] tooLong = ("PROXY TCP4 " + "1".repeat(120) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    trusted().writeInbound(Unpooled.wrappedBuffer(tooLong));

    assertFalse(channel.isOpen());
    assertEquals(1, refused.count());
  }

  @Test
  void noHeaderWithinTheTimeoutIsRefusedAndAHeaderInTimeStopsTheClock() {
    trusted();
    EmbeddedTime.advance(channel, ticker, TIMEOUT.minusMillis(100));
    assertTrue(channel.isOpen(), "closed before the timeout");
    EmbeddedTime.advance(channel, ticker, Duration.ofMillis(200));
    assertFalse(channel.isOpen(), "open after the timeout");
    assertEquals(1, refused.count());

    channel.finishAndReleaseAll();
    trusted().writeInbound(buffer(ProxyHeaders.v1("203.0.113.7", 4242, "10.0.0.1", 443)));
    EmbeddedTime.advance(channel, ticker, TIMEOUT.multipliedBy(2));
    assertTrue(channel.isOpen(), "a connection whose header came in time is not timed out");
    assertEquals(1, refused.count());
  }

  @Test
  void fromAnUntrustedSourceAHeaderInEitherVersionIsRefused() throws Exception {
    untrusted()
        .writeInbound(buffer(ProxyHeaders.v1("203.0.113.7", 4242, "10.0.0.1", 443), REQUEST));
    assertFalse(channel.isOpen());
    assertNull(channel.readInbound());
    channel.finishAndReleaseAll();

    untrusted().writeInbound(buffer(ProxyHeaders.v2("203.0.113.7", 4242, "10.0.0.1", 443)));
    assertFalse(channel.isOpen());
    assertEquals(2, refused.count());
  }

  @Test
  void fromAnUntrustedSourceAnythingElsePassesAsSoonAsItCannotBeAHeader() {
    untrusted().writeInbound(Unpooled.copiedBuffer("hi\n", StandardCharsets.US_ASCII));
    assertArrayEquals("hi\n".getBytes(StandardCharsets.US_ASCII), inbound());
    assertNull(channel.pipeline().get(PipelineNames.PROXY_HEADER));
    channel.finishAndReleaseAll();

    untrusted().writeInbound(Unpooled.copiedBuffer("PRO", StandardCharsets.US_ASCII));
    assertNull(channel.readInbound(), "PRO could still become PROXY");
    channel.writeInbound(Unpooled.copiedBuffer("BE\n", StandardCharsets.US_ASCII));
    assertArrayEquals("PROBE\n".getBytes(StandardCharsets.US_ASCII), inbound());
    assertTrue(channel.isOpen());
    assertEquals(0, refused.count());
  }

  private static ByteBuf buffer(byte[]... parts) {
    return Unpooled.wrappedBuffer(parts);
  }

  // Everything that passed the PROXY handlers, as one array.
  private byte[] inbound() {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (ByteBuf passed; (passed = channel.readInbound()) != null; ) {
      byte[] bytes = new byte[passed.readableBytes()];
      passed.readBytes(bytes);
      passed.release();
      all.writeBytes(bytes);
    }
    return all.toByteArray();
  }
}
