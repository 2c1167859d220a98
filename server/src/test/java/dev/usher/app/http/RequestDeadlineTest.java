package dev.usher.app.http;

import static dev.usher.app.http.EmbeddedHttpConnection.ascii;
import static dev.usher.app.http.EmbeddedHttpConnection.sent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The request deadline while reading is paused for a slow reader: the rest of a request can then
 * wait unread in the socket, so its time does not run out until reading resumes. (The deadline
 * itself, a 408 for a trickled request, is shown over real sockets by {@code RequestTimeoutTest}.)
 */
class RequestDeadlineTest {
  private static final Duration TIMEOUT = Duration.ofMillis(50);

  @Test
  void aRequestLeftHalfReadWhileReadingIsPausedGetsItsTimeWhenReadingResumes() throws Exception {
    EmbeddedChannel channel = EmbeddedHttpConnection.open(TIMEOUT);
    channel.writeInbound(ascii("GET / HTTP/1.1\r\nHost: usher\r\n"));

    channel.config().setAutoRead(false);
    waitPastTheTimeout(channel);
    assertEquals("", sent(channel), "timed out while usher was not reading");
    assertTrue(channel.isOpen());

    channel.config().setAutoRead(true);
    waitPastTheTimeout(channel);
    assertTrue(sent(channel).startsWith("HTTP/1.1 408 "), "no 408 once reading resumed");
  }

  @Test
  void aRequestWhoseReadingResumesGetsItsTimeAnew() throws Exception {
    Duration timeout = Duration.ofMillis(500);
    EmbeddedChannel channel = EmbeddedHttpConnection.open(timeout);
    channel.writeInbound(ascii("GET / HTTP/1.1\r\nHost: usher\r\n"));

    Thread.sleep(300);
    // Reading resumes after a pause for a slow reader: the channel is writable again.
    channel.pipeline().fireChannelWritabilityChanged();
    Thread.sleep(300);
    channel.advanceTimeBy(timeout.toNanos(), TimeUnit.NANOSECONDS);
    channel.runScheduledPendingTasks();

    assertEquals("", sent(channel), "timed out counting usher's own pause");
    assertTrue(channel.isOpen());
  }

  /** Past the timeout on the wall clock (which the deadline reads) and the channel's timers. */
  private static void waitPastTheTimeout(EmbeddedChannel channel) throws InterruptedException {
    Thread.sleep(TIMEOUT.multipliedBy(2).toMillis());
    channel.advanceTimeBy(TIMEOUT.multipliedBy(2).toNanos(), TimeUnit.NANOSECONDS);
    channel.runScheduledPendingTasks();
  }
}
