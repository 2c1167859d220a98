package dev.usher.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.config.TlsConfig;
import dev.usher.connection.PipelineNames;
import dev.usher.testing.EmbeddedTime;
import dev.usher.testing.TestCertificates;
import dev.usher.testing.TestCertificates.Pair;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The handshake's timing rules on an embedded connection whose loop reads a mock ticker: the
 * timeout, and the duration recorded from the connection's start on its worker to the handshake's
 * end.
 */
class TlsHandshakeTimingTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @TempDir static Path directory;
  private static Pair server;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MockTicker ticker = Ticker.newMockTicker();
  private ServerTls tls;
  private EmbeddedChannel connection;

  @BeforeAll
  static void makeCertificates() throws Exception {
    server = TestCertificates.in(directory).server("server");
  }

  @AfterEach
  void close() {
    if (connection != null) {
      connection.finishAndReleaseAll();
    }
    if (tls != null) {
      tls.close();
    }
  }

  private EmbeddedChannel connect() throws Exception {
    TlsConfig config =
        new TlsConfig(
            server.certificate(),
            server.privateKey(),
            TlsConfig.TlsProvider.JDK,
            TlsConfig.SUPPORTED_PROTOCOLS,
            TIMEOUT,
            TlsConfig.ClientAuth.NONE,
            Optional.empty(),
            Duration.ofHours(1));
    tls = ServerTls.start(config, List.of("http/1.1"), registry, "main");
    connection =
        EmbeddedChannel.builder()
            .ticker(ticker)
            .handlers(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel channel) {
                    tls.install(channel.pipeline());
                  }
                })
            .build();
    return connection;
  }

  @Test
  void aClientThatNeverFinishesItsHandshakeIsClosedAtTheTimeoutAndCounted() throws Exception {
    EmbeddedChannel channel = connect();

    EmbeddedTime.advance(channel, ticker, TIMEOUT.minusMillis(100));
    assertTrue(channel.isOpen(), "closed before the handshake timeout");
    assertEquals(0, handshakes("timeout"));

    EmbeddedTime.advance(channel, ticker, Duration.ofMillis(200));
    assertFalse(channel.isOpen(), "open after the handshake timeout");
    assertEquals(1, handshakes("timeout"));
    assertEquals(0, handshakes("success"));
  }

  @Test
  void aHandshakeIsTimedFromTheConnectionsStartAndItsObserverThenStepsAside() throws Exception {
    EmbeddedChannel channel = connect();
    EmbeddedChannel client =
        new EmbeddedChannel(
            SslContextBuilder.forClient()
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .build()
                .newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT, "localhost", 443));
    try {
      // The client takes 250 ms to send its hello.
      ticker.advance(250, TimeUnit.MILLISECONDS);
      shuttle(client, channel);

      assertEquals(1, handshakes("success"));
      var duration = registry.get("server.tls.handshake.duration").timer();
      assertEquals(1, duration.count());
      assertEquals(250, duration.totalTime(TimeUnit.MILLISECONDS), 0.001);
      assertNull(channel.pipeline().get(PipelineNames.TLS_HANDSHAKE));
      assertTrue(channel.isOpen());
    } finally {
      client.finishAndReleaseAll();
    }
  }

  // Passes each side's output to the other until both are quiet.
  private static void shuttle(EmbeddedChannel client, EmbeddedChannel server) {
    boolean moved = true;
    while (moved) {
      moved = false;
      for (ByteBuf out; (out = client.readOutbound()) != null; moved = true) {
        server.writeInbound(out);
      }
      for (ByteBuf out; (out = server.readOutbound()) != null; moved = true) {
        client.writeInbound(out);
      }
      server.runPendingTasks();
      client.runPendingTasks();
    }
  }

  private double handshakes(String result) {
    return registry.get("server.tls.handshakes").tag("result", result).counter().count();
  }
}
