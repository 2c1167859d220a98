package dev.usher.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import dev.usher.connection.ConnectionErrorHandler;
import dev.usher.connection.PipelineNames;
import dev.usher.testing.CapturedLog;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * An HTTP/1.1 connection's owner is its pipeline's last handler and deals with every error that
 * reaches it: usher adds no error handler after it.
 */
class HttpConnectionErrorsTest {

  @Test
  void anUnexpectedErrorClosesTheConnectionAndIsLoggedOnceAtWarn() {
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open();
        CapturedLog log = CapturedLog.capture(ConnectionErrorHandler.class, Level.DEBUG)) {
      assertInstanceOf(HttpConnection.class, connection.channel().pipeline().last());
      assertNull(connection.channel().pipeline().get(PipelineNames.ERRORS));

      connection.channel().pipeline().fireExceptionCaught(new IllegalStateException("a bug"));

      assertFalse(connection.isOpen());
      assertEquals(1, log.warningsAndErrors().size(), String.join("\n", log.lines()));
      assertTrue(log.warningsAndErrors().getFirst().contains("unhandled error"));
      connection.channel().checkException();
    }
  }

  @Test
  void aClientsResetClosesTheConnectionWithoutAWarning() {
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open();
        CapturedLog log = CapturedLog.capture(ConnectionErrorHandler.class, Level.DEBUG)) {
      connection.send("GET / HTTP/1.1\r\nHost: usher\r\n");

      connection.channel().pipeline().fireExceptionCaught(new IOException("Connection reset"));

      assertFalse(connection.isOpen());
      assertEquals(1, log.lines().size(), String.join("\n", log.lines()));
      assertTrue(log.warningsAndErrors().isEmpty(), String.join("\n", log.warningsAndErrors()));
    }
  }
}
