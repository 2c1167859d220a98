package dev.usher.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.config.AcceptMode;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Which start-up note an operator reads about queued connections on restart: the accept mode,
 * {@code net.ipv4.tcp_migrate_req}, the hand-over path and socket activation decide it.
 */
class QueuedConnectionsOnRestartTest {
  private static final OptionalInt UNKNOWN = OptionalInt.empty();
  private static final OptionalInt OFF = OptionalInt.of(0);
  private static final OptionalInt ON = OptionalInt.of(1);

  static Stream<Arguments> notes() {
    return Stream.of(
        // mode, tcp_migrate_req, hand-over, activated, the note says
        Arguments.of(AcceptMode.REUSEPORT, OFF, false, false, "net.ipv4.tcp_migrate_req = 0: when"),
        Arguments.of(AcceptMode.REUSEPORT, OFF, false, false, "the kernel resets the connections"),
        Arguments.of(
            AcceptMode.REUSEPORT,
            OFF,
            false,
            false,
            "set lifecycle.handover-path to restart without losing them (or"
                + " net.ipv4.tcp_migrate_req = 1, and start the new usher first)"),
        Arguments.of(AcceptMode.REUSEPORT, ON, false, false, "net.ipv4.tcp_migrate_req = 1: when"),
        Arguments.of(AcceptMode.REUSEPORT, ON, false, false, "the kernel moves the connections"),
        Arguments.of(AcceptMode.REUSEPORT, ON, false, false, "a stop-then-start loses them"),
        Arguments.of(AcceptMode.REUSEPORT, UNKNOWN, false, false, "kernels before 5.14 lack it"),
        Arguments.of(AcceptMode.REUSEPORT, UNKNOWN, false, false, "the kernel resets"),
        Arguments.of(
            AcceptMode.REUSEPORT, OFF, true, false, "no queued connection is lost (net.ipv4"),
        Arguments.of(AcceptMode.REUSEPORT, ON, true, false, "lifecycle.handover-path is set"),
        Arguments.of(AcceptMode.REUSEPORT, OFF, false, true, "systemd's (socket activation)"),
        Arguments.of(AcceptMode.REUSEPORT, OFF, true, true, "systemd's (socket activation)"));
  }

  @ParameterizedTest(name = "{0} tcp_migrate_req={1} hand-over={2} activated={3}: {4}")
  @MethodSource("notes")
  void inReuseportModeTellsWhetherARestartCanLoseQueuedConnections(
      AcceptMode mode, OptionalInt migrateReq, boolean handover, boolean activated, String says) {
    String note =
        QueuedConnectionsOnRestart.note(mode, migrateReq, handover, activated).orElseThrow();
    assertTrue(note.startsWith("restart: "), note);
    assertTrue(note.contains(says), note);
  }

  @ParameterizedTest(name = "tcp_migrate_req={0}")
  @MethodSource("migrateSettings")
  void inBossModeSaysNothingSinceNoSettingChangesWhatClosingItsOneSocketDoes(
      OptionalInt migrateReq) {
    assertEquals(
        Optional.empty(),
        QueuedConnectionsOnRestart.note(AcceptMode.BOSS, migrateReq, false, false));
  }

  static Stream<OptionalInt> migrateSettings() {
    return Stream.of(UNKNOWN, OFF, ON);
  }
}
