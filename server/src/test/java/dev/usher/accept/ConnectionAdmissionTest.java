package dev.usher.accept;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The admission gate's rules, on an embedded server channel that accepted connections pass as
 * messages: admitted while the budget has room, refused (closed at once, counted by reason) when it
 * has none or once the server drains.
 */
class ConnectionAdmissionTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Counter accepted = registry.counter("accepted");
  private final Map<RefusalReason, Counter> refused = new EnumMap<>(RefusalReason.class);
  private final ConnectionTracker tracker = new ConnectionTracker(new ConnectionBudget(2));
  private final ConnectionAdmission admission;
  private final EmbeddedChannel listener;

  ConnectionAdmissionTest() {
    for (RefusalReason reason : RefusalReason.values()) {
      refused.put(reason, registry.counter("refused", "reason", reason.tag()));
    }
    admission = new ConnectionAdmission("main", tracker, accepted, refused);
    listener = new EmbeddedChannel(admission);
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

  private Channel accept() {
    EmbeddedChannel child = new EmbeddedChannel();
    listener.writeInbound(child);
    return child;
  }
}
