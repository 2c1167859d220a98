package dev.usher.connection;

import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.TimeUnit;

/**
 * Whether a connection reads, decided in one place (its owner calls in; nothing else touches the
 * channel's auto-read until a lingering close takes the input over). Reading stops for two reasons:
 *
 * <ul>
 *   <li>the client is slow: more than the write buffer's high-water mark of answers waits for a
 *       client that does not read, until it catches up;
 *   <li>the connection has had its turn: it brought a turn's worth of work in one read batch, so it
 *       reads again in the loop's next round, after the loop has run its tasks and handled the I/O
 *       of its other connections. An owner that parses what it reads holds back what a read brought
 *       beyond the turn, and parses it when reading resumes.
 * </ul>
 *
 * <p>Why turns: io_uring's event loop goes on handling completions for as long as reads complete at
 * once, and runs its tasks only after. A client that always has more to send (pipelining without
 * pause, or uploading over loopback) would hold up the loop's tasks, among them the registration of
 * every new connection handed to that loop, for as long as it sends. Epoll's loop hands a
 * connection back after 16 reads; a turn also bounds the work a batch brings, not only its reads.
 */
public final class ReadTurns {
  /** An owner that held back part of what it had read, told when reading resumes. */
  @FunctionalInterface
  public interface Resumed {
    /** On the loop, before the channel reads again; it may stop reading again. */
    void readingResumed();
  }

  /** For an owner that holds nothing back. */
  public static final Resumed NOTHING_HELD = () -> {};

  // Held by every connection: no more fields than it needs (a connection's memory is measured).
  private final ChannelHandlerContext ctx;
  private final int workPerTurn;
  private final Resumed resumed;

  private int workThisBatch;
  private boolean reading = true;
  private boolean clientSlow;
  private boolean resumeScheduled;

  /**
   * {@code workPerTurn} is in the owner's unit of work, as it counts it in {@link #spend}; {@code
   * resumed} is told each time reading resumes.
   */
  public ReadTurns(ChannelHandlerContext ctx, int workPerTurn, Resumed resumed) {
    this.ctx = ctx;
    this.workPerTurn = workPerTurn;
    this.resumed = resumed;
  }

  /**
   * Counts work the current read batch brought. Once it makes a turn's worth, reading stops after
   * the current read and resumes once the loop has run what waits for it.
   */
  public void spend(int work) {
    workThisBatch += work;
    if (workThisBatch >= workPerTurn) {
      endTurn();
    }
  }

  /** Ends the connection's turn now: it reads again in the loop's next round. */
  public void endTurn() {
    if (reading) {
      stop();
      resumeSoon();
    }
  }

  /** At the end of a read batch. */
  public void batchEnded() {
    workThisBatch = 0;
  }

  /**
   * The client does not read what it is sent: reading stops until {@link #clientCaughtUp}. True
   * when it was not stopped for the client until now.
   */
  public boolean clientSlow() {
    if (clientSlow) {
      return false;
    }
    clientSlow = true;
    if (reading) {
      stop();
    }
    return true;
  }

  /**
   * The client has read its answers: true when reading was stopped for it. Reading resumes once the
   * loop has run what waits for it (never from within the flush that found the client caught up).
   */
  public boolean clientCaughtUp() {
    if (!clientSlow) {
      return false;
    }
    clientSlow = false;
    resumeSoon();
    return true;
  }

  /** Whether reading is stopped, so that what the client sent may wait unread. */
  public boolean stopped() {
    return !reading;
  }

  private void stop() {
    reading = false;
    ctx.channel().config().setAutoRead(false);
  }

  private void resumeSoon() {
    if (!resumeScheduled) {
      resumeScheduled = true;
      // Scheduled, not executed: the loop runs the tasks added while it runs its tasks in the same
      // round, before any I/O; a scheduled task waits for the next round, after the I/O.
      ctx.executor().schedule(this::resume, 0, TimeUnit.NANOSECONDS);
    }
  }

  private void resume() {
    resumeScheduled = false;
    if (clientSlow || reading) {
      return;
    }
    reading = true;
    workThisBatch = 0;
    resumed.readingResumed();
    if (reading) {
      ctx.channel().config().setAutoRead(true);
    }
  }
}
