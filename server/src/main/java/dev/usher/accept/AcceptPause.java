package dev.usher.accept;

import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A main listening socket's accepts, paused after {@code accept()} failed (EMFILE, ENFILE, ...)
 * until a descriptor is free beyond the {@link DescriptorReserve}, held whole again (the admin
 * listener may have released it, and re-arms it). The check every half second costs an open and a
 * close, not a failed accept, so a listener held at the descriptor limit neither spins nor fails
 * once a second, and the connections it does not take wait in the kernel's listen queue, where the
 * queue's meters show them. It logs one line when it pauses and one when it resumes, and nothing
 * more for pauses that follow within a minute of accepting: at the limit, with clients coming and
 * going, the refusal log's count once a second is enough.
 */
final class AcceptPause {
  private static final Logger log = LoggerFactory.getLogger(AcceptPause.class);
  private static final long CHECK_INTERVAL_MILLIS = 500;
  private static final long QUIET_AFTER_RESUME_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final String listener;
  private final DescriptorReserve reserve;
  private final BooleanSupplier mayResume;
  private final Runnable check = this::resumeIfFree;
  private ChannelHandlerContext listening;
  private long pausedAtNanos;
  private boolean pauseLogged;
  private boolean resumedBefore;
  private long resumedAtNanos;

  /**
   * @param mayResume false once the listener must stay paused (the drain, which closes it)
   */
  AcceptPause(String listener, DescriptorReserve reserve, BooleanSupplier mayResume) {
    this.listener = listener;
    this.reserve = reserve;
    this.mayResume = mayResume;
  }

  /** Pauses the listener whose server channel {@code ctx} belongs to, on its event loop. */
  void acceptFailed(ChannelHandlerContext ctx, Throwable cause) {
    ChannelConfig config = ctx.channel().config();
    if (!config.isAutoRead()) {
      return;
    }
    config.setAutoRead(false);
    listening = ctx;
    pausedAtNanos = ctx.executor().ticker().nanoTime();
    pauseLogged = !resumedBefore || pausedAtNanos - resumedAtNanos >= QUIET_AFTER_RESUME_NANOS;
    if (pauseLogged) {
      log.warn(
          "listener {}: accept failed ({}); accepts paused until a descriptor is free beyond the"
              + " reserve of {}",
          listener,
          cause.getMessage(),
          reserve.size());
    }
    log.debug("listener {}: accept failure", listener, cause);
    scheduleCheck();
  }

  private void resumeIfFree() {
    if (!listening.channel().isOpen() || !mayResume.getAsBoolean()) {
      return;
    }
    if (!reserve.hasDescriptorToSpare()) {
      scheduleCheck();
      return;
    }
    listening.channel().config().setAutoRead(true);
    resumedBefore = true;
    resumedAtNanos = listening.executor().ticker().nanoTime();
    if (pauseLogged) {
      log.info(
          "listener {}: accepting again after a pause of {} ms",
          listener,
          TimeUnit.NANOSECONDS.toMillis(resumedAtNanos - pausedAtNanos));
    }
  }

  private void scheduleCheck() {
    listening.executor().schedule(check, CHECK_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
  }
}
