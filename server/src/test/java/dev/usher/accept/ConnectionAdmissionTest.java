package dev.usher.accept;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import dev.usher.testing.CapturedLog;
import dev.usher.testing.EmbeddedTime;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The admission gate's rules, on an embedded server channel that accepted connections pass as
 * messages: admitted while the budget has room, refused (closed at once, counted by reason) when it
 * has none or once the server drains; after a failed accept, accepts paused until a descriptor is
 * free beyond the reserve.
 */
class ConnectionAdmissionTest {
  private static final int DESCRIPTOR_LIMIT = 20;
  private static final int RESERVE = 4;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Counter accepted = registry.counter("accepted");
  private final Map<RefusalReason, Counter> refused = new EnumMap<>(RefusalReason.class);
  private final ConnectionTracker tracker = new ConnectionTracker(new ConnectionBudget(2));
  private final SimulatedDescriptors descriptors = new SimulatedDescriptors(DESCRIPTOR_LIMIT);
  private final MockTicker ticker = Ticker.newMockTicker();
  private final DescriptorReserve reserve;
  private final ConnectionAdmission admission;
  private final EmbeddedChannel listener;

  ConnectionAdmissionTest() throws IOException {
    for (RefusalReason reason : RefusalReason.values()) {
      refused.put(reason, registry.counter("refused", "reason", reason.tag()));
    }
    reserve = descriptors.reserve(RESERVE);
    admission =
        new ConnectionAdmission(
            "main", tracker, accepted, refused, reserve, new QueueTimeout(0, true));
    listener = EmbeddedChannel.builder().ticker(ticker).handlers(admission).build();
  }

  @AfterEach
  void close() {
    listener.finishAndReleaseAll();
    registry.close();
  }

  @Test
  void admitsWhileTheBudgetHasRoomAndRefusesAboveIt() {
    Channel first = accept();
    Channel second = accept();
    Channel third = accept();

    assertSame(first, listener.readInbound());
    assertSame(second, listener.readInbound());
    assertTrue(first.isOpen() && second.isOpen());
    assertFalse(third.isOpen(), "the connection above the limit was not closed");
    assertEquals(2, accepted.count());
    assertEquals(1, refused.get(RefusalReason.MAX_CONNECTIONS).count());
    assertEquals(2, tracker.openConnections());

    first.close();
    assertEquals(1, tracker.openConnections(), "a closed connection gives its slot back");
    assertTrue(accept().isOpen());
  }

  @Test
  void refusesEveryConnectionOnceTheServerDrainsAndCountsItAsDraining() {
    Channel before = accept();
    admission.startDraining();
    Channel during = accept();

    assertTrue(before.isOpen());
    assertFalse(during.isOpen(), "a connection accepted during the drain was served");
    assertEquals(1, refused.get(RefusalReason.DRAINING).count());
    assertEquals(0, refused.get(RefusalReason.MAX_CONNECTIONS).count());
    assertEquals(1, accepted.count());
    assertEquals(1, tracker.openConnections(), "a refused connection took a slot");
  }

  @Test
  void aFailedAcceptPausesAcceptsUntilADescriptorIsFreeBeyondTheReserve() throws IOException {
    descriptors.takeAll();
    listener.pipeline().fireExceptionCaught(SimulatedDescriptors.outOfDescriptors());

    assertFalse(listener.config().isAutoRead(), "accepts were not paused");
    assertEquals(1, refused.get(RefusalReason.ACCEPT_ERROR).count());
    advance(Duration.ofSeconds(10));
    assertFalse(listener.config().isAutoRead(), "resumed with no descriptor free");

    descriptors.give(1);
    advance(Duration.ofMillis(500));
    assertTrue(listener.config().isAutoRead(), "still paused with a descriptor free");
    assertEquals(1, refused.get(RefusalReason.ACCEPT_ERROR).count());
    listener.checkException();
  }

  @Test
  void aPausedListenerWaitsForTheReserveToBeWholeAgain() throws IOException {
    descriptors.takeAll();
    listener.pipeline().fireExceptionCaught(SimulatedDescriptors.outOfDescriptors());
    reserve.release();
    advance(Duration.ofSeconds(2));
    assertFalse(listener.config().isAutoRead(), "resumed into the descriptors the admin needs");

    descriptors.give(1);
    advance(Duration.ofSeconds(2));
    assertFalse(listener.config().isAutoRead(), "resumed before the admin listener re-armed");

    assertTrue(reserve.rearmIfFree());
    advance(Duration.ofMillis(500));
    assertTrue(listener.config().isAutoRead(), "still paused with the reserve whole and one spare");
  }

  @Test
  void pausesThatFollowWithinAMinuteOfAcceptingAreNotLoggedAgain() throws IOException {
    try (CapturedLog log = CapturedLog.capture(AcceptPause.class, Level.INFO)) {
      for (int pause = 0; pause < 5; pause++) {
        descriptors.takeAll();
        listener.pipeline().fireExceptionCaught(SimulatedDescriptors.outOfDescriptors());
        descriptors.give(1);
        advance(Duration.ofSeconds(1));
        assertTrue(listener.config().isAutoRead());
      }
      assertEquals(2, log.lines().size(), "one pause and its resume: " + log.lines());

      ticker.advance(1, TimeUnit.MINUTES);
      listener.runScheduledPendingTasks();
      descriptors.takeAll();
      listener.pipeline().fireExceptionCaught(SimulatedDescriptors.outOfDescriptors());
      assertEquals(3, log.lines().size(), "a pause after a minute of accepting: " + log.lines());
      assertEquals(5 + 1, refused.get(RefusalReason.ACCEPT_ERROR).count());
    }
  }

  @Test
  void aListenerPausedWhenTheDrainBeginsStaysPaused() {
    listener.pipeline().fireExceptionCaught(new IOException("No buffer space available"));
    admission.startDraining();
    advance(Duration.ofSeconds(2));

    assertFalse(listener.config().isAutoRead(), "a draining listener accepts again");
  }

  private void advance(Duration time) {
    EmbeddedTime.advance(listener, ticker, time);
  }

  private Channel accept() {
    EmbeddedChannel child = new EmbeddedChannel();
    listener.writeInbound(child);
    return child;
  }
}
