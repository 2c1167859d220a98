package dev.usher.overload;

import dev.usher.metrics.TcpInfoReader;
import io.netty.channel.Channel;
import io.netty.channel.unix.UnixChannel;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Whether one event loop is too far behind to take new work. Confined to its loop: the probe and
 * the connections that ask run there.
 *
 * <p>The loop's lag is seen two ways: its probe's lateness, and, at each request it reads, how long
 * the loop has owed its tasks a turn (since the first request it read after it last ran them: on
 * io_uring a loop that always has completions to handle runs no task, so a probe alone could go
 * unseen for as long as the overload lasts). Shedding starts as soon as a lag exceeds the limit and
 * stops once every lag seen has stayed below half of it for {@link #CALM_NANOS}, so that a loop at
 * the edge does not flap.
 *
 * <p>While the loop sheds, it turns away stale work: a request that has already waited in its
 * socket longer than the limit (as the kernel counts it, {@code tcpi_last_data_recv}) is answered
 * 503, and a new connection that has waited that long since its client last sent anything ({@code
 * tcpi_last_ack_recv}: the accept queue and the hand-off to this loop) is refused. Where the socket
 * cannot tell, the wait counts from when the loop last ran its tasks. A client that waited that
 * long has likely given up, and serving it would make the fresher ones wait as long; fresh work is
 * served. A loop past its capacity so serves what it can, promptly, rather than shedding everything
 * until a calm second (which served, at four times the capacity, 12 % of it, and reset the new
 * connections its clients opened meanwhile: deploy/loadtest/README.md).
 */
public final class LoopPressure {
  static final long CALM_NANOS = 1_000_000_000L;
  private static final long NONE = Long.MIN_VALUE;

  /** The pressure of a loop no limit applies to: never shedding. */
  public static final LoopPressure NEVER = new LoopPressure(null, Long.MAX_VALUE);

  private final EventExecutor loop;
  private final long limitNanos;
  private final Runnable tasksRan = this::tasksRan;
  // Read by the meters' scrape too.
  private volatile boolean shedding;
  private long calmSinceNanos = NONE;
  private long owedSinceNanos = NONE;
  private long tasksRanNanos;
  private TcpInfoReader tcpInfo;
  private boolean tcpInfoTried;

  LoopPressure(EventExecutor loop, long limitNanos) {
    this.loop = loop;
    this.limitNanos = limitNanos;
    this.tasksRanNanos = loop == null ? 0 : loop.ticker().nanoTime();
  }

  /** A lag of {@code lagNanos} was seen at {@code nowNanos} on the loop's ticker. */
  void observe(long lagNanos, long nowNanos) {
    if (lagNanos > limitNanos) {
      shedding = true;
      calmSinceNanos = NONE;
    } else if (shedding) {
      if (lagNanos >= limitNanos / 2) {
        calmSinceNanos = NONE;
      } else if (calmSinceNanos == NONE) {
        calmSinceNanos = nowNanos;
      } else if (nowNanos - calmSinceNanos >= CALM_NANOS) {
        shedding = false;
        calmSinceNanos = NONE;
      }
    }
  }

  /** True while the loop turns away the work that waited longer than the limit. */
  public boolean shedding() {
    return shedding;
  }

  /**
   * Whether the loop has owed its tasks a turn for longer than the limit: its connections then stop
   * reading until it has run them, so that its I/O ends and its tasks (new connections among them)
   * run. On io_uring a loop whose reads keep completing would otherwise run none.
   */
  public boolean behind() {
    return owedSinceNanos != NONE && loop.ticker().nanoTime() - owedSinceNanos > limitNanos;
  }

  /** Whether a connection handed to the loop is refused; on the loop, as it is set up. */
  public boolean refusesConnection(Channel connection) {
    return shedding && waitedNanos(connection, false) > limitNanos;
  }

  /** Whether a request the loop reads now from {@code socket} is shed. */
  boolean shedsRequest(Channel socket) {
    if (loop == null) {
      return false;
    }
    long now = loop.ticker().nanoTime();
    if (owedSinceNanos == NONE) {
      owedSinceNanos = now;
      loop.execute(tasksRan);
    }
    observe(now - owedSinceNanos, now);
    return shedding && waitedNanos(socket, true) > limitNanos;
  }

  // How long the client has waited on this loop, as the kernel counts it: since its last data (a
  // request) or its last ACK (a new connection). Where the socket cannot tell: since the loop last
  // ran its tasks.
  private long waitedNanos(Channel socket, boolean sinceData) {
    if (socket instanceof UnixChannel unix && tcpInfo() != null && tcpInfo.readAccepted(unix)) {
      return TimeUnit.MILLISECONDS.toNanos(
          sinceData ? tcpInfo.millisSinceLastDataReceived() : tcpInfo.millisSinceLastAckReceived());
    }
    return loop.ticker().nanoTime() - tasksRanNanos;
  }

  // Created on the loop, which it is confined to, by the first request that needs it.
  private TcpInfoReader tcpInfo() {
    if (!tcpInfoTried) {
      tcpInfoTried = true;
      tcpInfo = TcpInfoReader.create().orElse(null);
    }
    return tcpInfo;
  }

  private void tasksRan() {
    owedSinceNanos = NONE;
    tasksRanNanos = loop.ticker().nanoTime();
  }
}
