package dev.usher.lifecycle;

import dev.usher.config.AcceptMode;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The start-up note, in {@code reuseport} accept mode, on whether replacing this usher can lose
 * connections queued in the kernel. Closing an {@code SO_REUSEPORT} listener resets what it had
 * queued unless {@code net.ipv4.tcp_migrate_req = 1} and another listener of its group stays open
 * (a new usher started first), in which case the kernel moves them there. A hand-over closes no
 * socket, and systemd's sockets outlive every usher: with either, nothing is lost whatever the
 * setting says. In {@code boss} mode there is one socket, and no setting changes what closing it
 * does, so there is no note.
 */
final class QueuedConnectionsOnRestart {
  private QueuedConnectionsOnRestart() {}

  /**
   * @param tcpMigrateReq {@code net.ipv4.tcp_migrate_req}, empty where the kernel has none
   * @param handover whether {@code lifecycle.handover-path} is set
   * @param activated whether the sockets are systemd's (socket activation)
   */
  static Optional<String> note(
      AcceptMode acceptMode, OptionalInt tcpMigrateReq, boolean handover, boolean activated) {
    if (acceptMode != AcceptMode.REUSEPORT) {
      return Optional.empty();
    }
    String setting =
        tcpMigrateReq.isPresent()
            ? "net.ipv4.tcp_migrate_req = " + tcpMigrateReq.getAsInt()
            : "net.ipv4.tcp_migrate_req is not readable (kernels before 5.14 lack it)";
    if (activated) {
      return Optional.of(
          "restart: the SO_REUSEPORT sockets are systemd's (socket activation), and a restart"
              + " closes none of them: no queued connection is lost ("
              + setting
              + ")");
    }
    if (handover) {
      return Optional.of(
          "restart: lifecycle.handover-path is set: a usher started with it takes over every"
              + " SO_REUSEPORT socket, so none closes and no queued connection is lost ("
              + setting
              + "); stopping this usher before another has taken over still loses them");
    }
    if (tcpMigrateReq.isPresent() && tcpMigrateReq.getAsInt() == 1) {
      return Optional.of(
          "restart: "
              + setting
              + ": when this usher's SO_REUSEPORT sockets close, the kernel moves the"
              + " connections queued on them to another usher listening on the port, so start the"
              + " new usher before stopping this one; a stop-then-start loses them (or set"
              + " lifecycle.handover-path)");
    }
    return Optional.of(
        "restart: "
            + setting
            + ": when this usher's SO_REUSEPORT sockets close, the kernel resets the connections"
            + " queued on them, even with a new usher already listening on the port; set"
            + " lifecycle.handover-path to restart without losing them"
            + (tcpMigrateReq.isPresent()
                ? " (or net.ipv4.tcp_migrate_req = 1, and start the new usher first)"
                : ""));
  }
}
