package dev.usher.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.usher.config.Cidr;
import dev.usher.config.LogFormat;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An access line, text (nginx's combined format plus the duration and the request id) and JSON, as
 * the access log's writer puts it on standard output; and the appender in front of it, which never
 * makes the logging thread wait and counts every line it drops.
 */
class AccessLineTest {
  private static final long TIME = 1_764_000_000_123L;
  private static final InetSocketAddress PEER = new InetSocketAddress("192.0.2.7", 50_123);

  @Test
  void aTextLineIsNginxsCombinedFormatWithTheDurationAndTheRequestId() {
    AnsweredRequest answered = answered(get("/search?q=1", "curl/8.5.0", "https://example.com/"));

    assertEquals(
        "192.0.2.7 - - [21/Nov/2025:16:00:00 +0000] \"GET /search?q=1 HTTP/1.1\" 200 17"
            + " \"https://example.com/\" \"curl/8.5.0\" 0.000118 4bf92f3577b34da6",
        text(answered));
  }

  @Test
  void whatTheClientSentIsEscapedAsNginxEscapesIt() {
    AnsweredRequest answered = answered(get("/a\"b", "x\ny\u007f\u00e9\\", null));

    assertEquals(
        "192.0.2.7 - - [21/Nov/2025:16:00:00 +0000] \"GET /a\\x22b HTTP/1.1\" 200 17 \"-\""
            + " \"x\\x0Ay\\x7F\\xE9\\x5C\" 0.000118 4bf92f3577b34da6",
        text(answered));
  }

  @Test
  void bytesThatNeverBecameARequestAreWrittenAsADash() {
    AnsweredRequest answered = new AccessLog(TrustedProxies.NONE).received(null, false, null);
    answered.sent(400, 16);
    answered.completed(TIME, PEER, 2_500_000_000L);

    assertEquals(
        "192.0.2.7 - - [21/Nov/2025:16:00:00 +0000] \"-\" 400 16 \"-\" \"-\" 2.500000 -",
        text(answered));
  }

  @Test
  void anHttp2RequestIsWrittenAsHttp2() {
    AnsweredRequest answered =
        new AccessLog(TrustedProxies.NONE).received(get("/", null, null), true, null);
    answered.sent(200, 0);
    answered.completed(TIME, PEER, 0);

    assertTrue(text(answered).contains("\"GET / HTTP/2.0\" 200 0 "), text(answered));
  }

  @Test
  void aJsonLineIsOneObjectWithEveryField() {
    AnsweredRequest answered = answered(get("/a\"b", "x\ny\\", null));

    assertEquals(
        "{\"timestamp\":1764000000123,\"level\":\"INFO\",\"loggerName\":\"usher.access\","
            + "\"remote_addr\":\"192.0.2.7\",\"method\":\"GET\",\"target\":\"/a\\\"b\","
            + "\"protocol\":\"HTTP/1.1\",\"status\":200,\"bytes_sent\":17,"
            + "\"duration_seconds\":0.000118,\"request_id\":\"4bf92f3577b34da6\","
            + "\"user_agent\":\"x\\u000Ay\\\\\",\"referer\":null}\n",
        written(LogFormat.JSON, answered));
  }

  @Test
  void theClientBehindATrustedProxyIsTheOneItForwarded() {
    HttpRequest head = get("/", null, null);
    head.headers().add("X-Forwarded-For", "203.0.113.5");
    head.headers().add("X-Forwarded-For", "198.51.100.9");
    AccessLog trusting = new AccessLog(new TrustedProxies(List.of(new Cidr("192.0.2.0", 24))));
    AnsweredRequest answered = trusting.received(head, false, null);
    answered.sent(200, 17);
    answered.completed(TIME, PEER, 0);

    assertTrue(text(answered).startsWith("198.51.100.9 - - "), text(answered));
  }

  @Test
  void theWriterWritesALineEachAndFlushesOnceTheQueueIsEmpty() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean[] queueEmpty = {false};
    AccessLineWriter writer = new AccessLineWriter(LogFormat.TEXT, out, () -> queueEmpty[0]);
    writer.setContext(new LoggerContext());
    writer.start();
    AnsweredRequest answered = answered(get("/", "curl/8.5.0", null));

    writer.doAppend(event(answered));
    writer.doAppend(event(answered));
    assertEquals(0, out.size(), "held while more lines wait in the queue");

    queueEmpty[0] = true;
    writer.doAppend(event(answered));
    String written = out.toString(StandardCharsets.UTF_8);
    assertEquals(3, written.lines().count(), written);
    assertTrue(written.endsWith(" 0.000118 4bf92f3577b34da6\n"), written);
  }

  @Test
  void theAppenderNeverMakesTheLoggerWaitAndCountsWhatItDrops() throws Exception {
    LoggerContext context = new LoggerContext();
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AppenderBase<ILoggingEvent> stuckWriter =
        new AppenderBase<>() {
          @Override
          protected void append(ILoggingEvent event) {
            writing.countDown();
            try {
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException stopped) {
              Thread.currentThread().interrupt();
            }
          }
        };
    stuckWriter.setContext(context);
    stuckWriter.start();
    AccessLogAppender appender = new AccessLogAppender();
    appender.setContext(context);
    appender.setName("access");
    appender.addAppender(stuckWriter);
    appender.start();
    Logger logger = context.getLogger(AccessLog.LOGGER_NAME);
    logger.setAdditive(false);
    logger.addAppender(appender);
    AnsweredRequest answered = answered(get("/", null, null));
    try {
      logger.info("{}", answered);
      assertTrue(writing.await(10, TimeUnit.SECONDS), "the writer has the first line");

      int more = AccessLogAppender.QUEUE_SIZE + 1_000;
      assertTimeoutPreemptively(
          Duration.ofSeconds(10),
          () -> {
            for (int i = 0; i < more; i++) {
              logger.info("{}", answered);
            }
          });

      int queued = AccessLogAppender.QUEUE_SIZE - AccessLogAppender.ROOM_FOR_RACES + 1;
      assertEquals(more - queued, appender.dropped());
      assertEquals(AccessLogAppender.of(context).orElseThrow(), appender);
    } finally {
      release.countDown();
      context.stop();
    }
  }

  private static HttpRequest get(String target, String userAgent, String referer) {
    // Unvalidated: the hostile values a lenient peer (or HTTP/2's conversion) could pass on.
    HttpRequest head =
        new DefaultHttpRequest(
            HttpVersion.HTTP_1_1,
            HttpMethod.GET,
            target,
            DefaultHttpHeadersFactory.headersFactory().withValidation(false));
    if (userAgent != null) {
      head.headers().set("User-Agent", userAgent);
    }
    if (referer != null) {
      head.headers().set("Referer", referer);
    }
    return head;
  }

  private static AnsweredRequest answered(HttpRequest head) {
    AnsweredRequest answered =
        new AccessLog(TrustedProxies.NONE).received(head, false, "4bf92f3577b34da6");
    answered.sent(200, 17);
    answered.completed(TIME, PEER, 118_900);
    return answered;
  }

  private static String text(AnsweredRequest answered) {
    StringBuilder line = new StringBuilder();
    answered.appendText(line, "21/Nov/2025:16:00:00 +0000");
    return line.toString();
  }

  private static String written(LogFormat format, AnsweredRequest answered) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AccessLineWriter writer = new AccessLineWriter(format, out, () -> true);
    writer.setContext(new LoggerContext());
    writer.start();
    writer.doAppend(event(answered));
    return out.toString(StandardCharsets.UTF_8);
  }

  private static ILoggingEvent event(AnsweredRequest answered) {
    LoggerContext context = new LoggerContext();
    return new ch.qos.logback.classic.spi.LoggingEvent(
        Logger.FQCN,
        context.getLogger(AccessLog.LOGGER_NAME),
        ch.qos.logback.classic.Level.INFO,
        "{}",
        null,
        new Object[] {answered});
  }
}
