package dev.usher.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading {@code /proc/sys}: here a directory laid out like it. */
class KernelNetworkSettingsTest {
  @TempDir Path procSys;

  @Test
  void readsTcpMigrateReqWhereTheKernelHasIt() throws Exception {
    Files.createDirectories(procSys.resolve("net/ipv4"));
    Files.writeString(procSys.resolve("net/ipv4/tcp_migrate_req"), "1\n");
    assertEquals(OptionalInt.of(1), KernelNetworkSettings.read(procSys).tcpMigrateReq());
  }

  @Test
  void tcpMigrateReqIsUnknownOnAKernelWithoutIt() {
    KernelNetworkSettings settings = KernelNetworkSettings.read(procSys);
    assertEquals(OptionalInt.empty(), settings.tcpMigrateReq());
    assertEquals(KernelNetworkSettings.FALLBACK_SOMAXCONN, settings.somaxconn());
  }
}
