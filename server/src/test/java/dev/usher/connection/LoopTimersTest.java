package dev.usher.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.testing.EmbeddedTime;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A loop's connection timers, kept in one heap and served by one task: each check runs when it is
 * due, not before, in the order they fall due, on a loop whose clock is a mock ticker.
 */
class LoopTimersTest {
  private final MockTicker ticker = Ticker.newMockTicker();
  private final EmbeddedChannel channel = EmbeddedChannel.builder().ticker(ticker).build();
  private final List<String> ran = new ArrayList<>();

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  @Test
  void eachCheckRunsWhenItIsDueInTheOrderTheyFallDue() {
    timer("c").checkIn(millis(30));
    timer("a").checkIn(millis(10));
    timer("b").checkIn(millis(20));

    advance(Duration.ofMillis(9));
    assertEquals(List.of(), ran);
    advance(Duration.ofMillis(1));
    assertEquals(List.of("a"), ran);
    advance(Duration.ofMillis(20));
    assertEquals(List.of("a", "b", "c"), ran);
    assertEquals(0, LoopTimers.of(channel.eventLoop()).pending());
  }

  @Test
  void aCancelledOrMovedCheckRunsOnlyWhenItIsDueNow() {
    ConnectionTimer cancelled = timer("cancelled");
    ConnectionTimer moved = timer("moved");
    ConnectionTimer pulledIn = timer("pulled in");
    cancelled.checkIn(millis(10));
    moved.checkIn(millis(10));
    pulledIn.checkIn(millis(50));

    cancelled.cancel();
    moved.checkIn(millis(40));
    pulledIn.checkBy(ticker.nanoTime() + millis(20));
    pulledIn.checkBy(ticker.nanoTime() + millis(45)); // later than pending: stays at 20 ms

    advance(Duration.ofMillis(30));
    assertEquals(List.of("pulled in"), ran);
    advance(Duration.ofMillis(10));
    assertEquals(List.of("pulled in", "moved"), ran);
    advance(Duration.ofSeconds(1));
    assertEquals(List.of("pulled in", "moved"), ran);
  }

  @Test
  void aLoopWithNothingPendingWaitsForNothing() {
    ConnectionTimer first = timer("first");
    ConnectionTimer second = timer("second");
    first.checkIn(millis(10));
    second.checkIn(millis(20));

    first.cancel();
    assertTrue(channel.runScheduledPendingTasks() > 0, "no wake-up for the second");
    second.cancel();
    assertEquals(-1, channel.runScheduledPendingTasks(), "a wake-up left for nothing");
  }

  @Test
  void aCheckMayAskForItsNextAndCancelAnotherDueAtTheSameTime() {
    ConnectionTimer other = timer("other");
    ConnectionTimer[] self = new ConnectionTimer[1];
    self[0] =
        new ConnectionTimer(
            channel.eventLoop(),
            () -> {
              ran.add("self");
              other.cancel();
              if (ran.size() < 3) {
                self[0].checkIn(millis(10));
              }
            });
    self[0].checkIn(millis(10));
    other.checkIn(millis(10));

    advance(Duration.ofMillis(100));
    assertEquals(List.of("self", "self", "self"), ran);
  }

  @Test
  void aCheckThatFailsDoesNotHoldUpTheOthers() {
    new ConnectionTimer(
            channel.eventLoop(),
            () -> {
              throw new IllegalStateException("a bug in one connection's rule");
            })
        .checkIn(millis(10));
    timer("beside it").checkIn(millis(10));
    timer("after it").checkIn(millis(20));

    advance(Duration.ofMillis(30));
    assertEquals(List.of("beside it", "after it"), ran);
  }

  @Test
  void manyTimersRunInDueOrder() {
    Random random = new Random(42);
    long[] delays = new long[2_000];
    for (int i = 0; i < delays.length; i++) {
      delays[i] = 1 + random.nextInt(5_000_000);
      String id = Integer.toString(i);
      new ConnectionTimer(channel.eventLoop(), () -> ran.add(id)).checkIn(delays[i]);
    }
    advance(Duration.ofMillis(10));

    assertEquals(delays.length, ran.size());
    for (int i = 1; i < ran.size(); i++) {
      long before = delays[Integer.parseInt(ran.get(i - 1))];
      assertTrue(before <= delays[Integer.parseInt(ran.get(i))], "out of order at " + i);
    }
  }

  private ConnectionTimer timer(String name) {
    return new ConnectionTimer(channel.eventLoop(), () -> ran.add(name));
  }

  private void advance(Duration time) {
    EmbeddedTime.advance(channel, ticker, time);
  }

  private static long millis(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }
}
