package dev.usher.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.usher.config.Cidr;
import dev.usher.config.LogFormat;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
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
  void aJsonLineKeepsTextBeyondAsciiInUtf8() {
    AnsweredRequest answered = answered(get("/caf\u00e9", "r\u00e9sum\u00e9 \u2713", null));

    String line = written(LogFormat.JSON, answered);

    assertTrue(line.contains("\"target\":\"/caf\u00e9\""), line);
    assertTrue(line.contains("\"user_agent\":\"r\u00e9sum\u00e9 \u2713\""), line);
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
  void theWriterHoldsWholeLinesUntilItIsFlushed() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AccessLineWriter writer = new AccessLineWriter(LogFormat.TEXT, out);
    writer.setContext(new LoggerContext());
    AnsweredRequest answered = answered(get("/", "curl/8.5.0", null));

    writer.write(event(answered));
    writer.write(event(answered));
    assertEquals(0, out.size(), "held until the flush");

    writer.flush();
    String written = out.toString(StandardCharsets.UTF_8);
    assertEquals(2, written.lines().count(), written);
    assertTrue(written.endsWith(" 0.000118 4bf92f3577b34da6\n"), written);
  }

  @Test
  void aLineIsWrittenWithinAPeriodWithoutAnotherLineToPushIt() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LoggerContext context = new LoggerContext();
    Logger logger = accessLogger(context, out);
    try {
      logger.info("{}", answered(get("/alone", null, null)));

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!out.toString(StandardCharsets.UTF_8).contains("GET /alone")
          && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertTrue(
          out.toString(StandardCharsets.UTF_8).contains("\"GET /alone HTTP/1.1\" 200 17"),
          out.toString(StandardCharsets.UTF_8));
    } finally {
      context.stop();
    }
  }

  @Test
  void theAppenderNeverMakesTheLoggerWaitAndCountsWhatItDrops() throws Exception {
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    OutputStream stuck =
        new OutputStream() {
          @Override
          public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] bytes, int offset, int length) {
            writing.countDown();
            try {
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException stopped) {
              Thread.currentThread().interrupt();
            }
          }
        };
    LoggerContext context = new LoggerContext();
    Logger logger = accessLogger(context, stuck);
    AccessLogAppender appender = AccessLogAppender.of(context).orElseThrow();
    AnsweredRequest answered = answered(get("/", null, null));
    try {
      logger.info("{}", answered);
      assertTrue(writing.await(10, TimeUnit.SECONDS), "the writer is stuck writing the first line");

      int more = AccessLogAppender.QUEUE_SIZE + 1_000;
      assertTimeoutPreemptively(
          Duration.ofSeconds(10),
          () -> {
            for (int i = 0; i < more; i++) {
              logger.info("{}", answered);
            }
          });

      assertEquals(1_000, appender.dropped());
    } finally {
      release.countDown();
      context.stop();
    }
  }

  private static Logger accessLogger(LoggerContext context, OutputStream out) {
    AccessLogAppender appender = new AccessLogAppender();
    appender.setContext(context);
    appender.setName("access");
    appender.setOutput(out);
    appender.start();
    Logger logger = context.getLogger(AccessLog.LOGGER_NAME);
    logger.setAdditive(false);
    logger.addAppender(appender);
    return logger;
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
    AccessLineWriter writer = new AccessLineWriter(format, out);
    writer.setContext(new LoggerContext());
    writer.write(event(answered));
    writer.flush();
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
