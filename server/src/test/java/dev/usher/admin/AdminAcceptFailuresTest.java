package dev.usher.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import dev.usher.accept.DescriptorReserve;
import dev.usher.accept.SimulatedDescriptors;
import dev.usher.testing.CapturedLog;
import dev.usher.testing.EmbeddedTime;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The admin listener's failed accepts, on an embedded server channel: out of descriptors it spends
 * the reserve and keeps accepting, re-arms the reserve once descriptors are free, and otherwise
 * pauses; every failure ends in this handler, logged once, never at the end of the pipeline.
 */
class AdminAcceptFailuresTest {
  private static final int DESCRIPTOR_LIMIT = 20;
  private static final int RESERVE = 4;

  private final SimulatedDescriptors descriptors = new SimulatedDescriptors(DESCRIPTOR_LIMIT);
  private final MockTicker ticker = Ticker.newMockTicker();
  private final CapturedLog log = CapturedLog.capture(AdminAcceptFailures.class, Level.INFO);
  private final DescriptorReserve reserve;
  private final EmbeddedChannel listener;

  AdminAcceptFailuresTest() throws IOException {
    reserve = descriptors.reserve(RESERVE);
    listener =
        EmbeddedChannel.builder().ticker(ticker).handlers(new AdminAcceptFailures(reserve)).build();
  }

  @AfterEach
  void close() {
    listener.finishAndReleaseAll();
    log.close();
  }

  @Test
  void outOfDescriptorsItReleasesTheReserveAndKeepsAccepting() {
    descriptors.takeAll();
    listener.pipeline().fireExceptionCaught(SimulatedDescriptors.outOfDescriptors());

    assertFalse(reserve.isArmed(), "the reserve was not released");
    assertEquals(RESERVE, descriptors.free());
    assertTrue(listener.config().isAutoRead(), "the accept waiting for the reserve was paused");
    listener.checkException();
    assertEquals(1, log.warningsAndErrors().size(), log.lines().toString());
  }

  @Test
  void rearmsTheReserveOnlyOnceDescriptorsAreFreeAgain() {
    descriptors.takeAll();
    listener.pipeline().fireExceptionCaught(SimulatedDescriptors.outOfDescriptors());
    advance(Duration.ofSeconds(5));
    assertFalse(reserve.isArmed(), "re-armed while the process was still at its limit");

    descriptors.give(1);
    advance(Duration.ofMillis(500));
    assertTrue(reserve.isArmed());
    assertTrue(
        log.lines().getLast().contains("descriptors are free again"), log.lines().toString());
  }

  @Test
  void withTheReserveSpentItPausesAndRetriesLoggingOnceUntilAnAcceptSucceeds() {
    descriptors.takeAll();
    listener.pipeline().fireExceptionCaught(SimulatedDescriptors.outOfDescriptors());
    for (int retry = 0; retry < 5; retry++) {
      listener.pipeline().fireExceptionCaught(SimulatedDescriptors.outOfDescriptors());
      assertFalse(listener.config().isAutoRead(), "no pause with the reserve spent");
      advance(Duration.ofMillis(500));
      assertTrue(listener.config().isAutoRead(), "no retry after the pause");
    }
    listener.checkException();
    assertEquals(2, log.warningsAndErrors().size(), log.lines().toString());

    EmbeddedChannel scrape = new EmbeddedChannel();
    listener.writeInbound(scrape);
    assertSame(scrape, listener.readInbound());
    assertTrue(log.lines().getLast().contains("accepting again after 5 failed accept(s)"));
  }

  @Test
  void anyOtherFailurePausesAcceptsAndKeepsTheReserve() {
    listener.pipeline().fireExceptionCaught(new IOException("No buffer space available"));

    assertTrue(reserve.isArmed());
    assertFalse(listener.config().isAutoRead());
    advance(Duration.ofMillis(500));
    assertTrue(listener.config().isAutoRead());
    listener.checkException();
  }

  private void advance(Duration time) {
    EmbeddedTime.advance(listener, ticker, time);
  }
}
