package dev.usher.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The host's kernel settings that shape a listener: the backlog cap, the ephemeral port range, and
 * what happens to a closing {@code SO_REUSEPORT} listener's queue.
 *
 * @param somaxconn {@code net.core.somaxconn}, the kernel's silent cap on any listen backlog
 * @param ephemeralPorts {@code net.ipv4.ip_local_port_range}, when this host has one
 * @param tcpMigrateReq {@code net.ipv4.tcp_migrate_req} (Linux 5.14 and later): 1 when the kernel
 *     moves the connections queued on a closing {@code SO_REUSEPORT} listener to another of its
 *     group rather than resetting them; empty when this host has no such setting
 */
public record KernelNetworkSettings(
    int somaxconn, Optional<PortRange> ephemeralPorts, OptionalInt tcpMigrateReq) {

  /** Settings in which {@code net.ipv4.tcp_migrate_req} is unknown. */
  public KernelNetworkSettings(int somaxconn, Optional<PortRange> ephemeralPorts) {
    this(somaxconn, ephemeralPorts, OptionalInt.empty());
  }

  /** Used where {@code /proc} is missing (not Linux): the BSD and macOS default. */
  static final int FALLBACK_SOMAXCONN = 128;

  /** An inclusive range of ports. */
  public record PortRange(int first, int last) {
    boolean contains(int port) {
      return port >= first && port <= last;
    }
  }

  /** Reads the settings from {@code /proc/sys}, falling back where this is not Linux. */
  public static KernelNetworkSettings read() {
    return read(Path.of("/proc/sys"));
  }

  static KernelNetworkSettings read(Path procSys) {
    int somaxconn =
        firstLine(procSys.resolve("net/core/somaxconn"))
            .map(line -> Integer.parseInt(line.strip()))
            .orElse(FALLBACK_SOMAXCONN);
    Optional<PortRange> ephemeral =
        firstLine(procSys.resolve("net/ipv4/ip_local_port_range"))
            .map(line -> line.strip().split("\\s+"))
            .map(parts -> new PortRange(Integer.parseInt(parts[0]), Integer.parseInt(parts[1])));
    OptionalInt migrateReq =
        firstLine(procSys.resolve("net/ipv4/tcp_migrate_req"))
            .map(line -> OptionalInt.of(Integer.parseInt(line.strip())))
            .orElse(OptionalInt.empty());
    return new KernelNetworkSettings(somaxconn, ephemeral, migrateReq);
  }

  // Files.readString on a /proc/sys file returns only its first byte: read lines instead.
  private static Optional<String> firstLine(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      return lines.isEmpty() ? Optional.empty() : Optional.of(lines.getFirst());
    } catch (IOException | RuntimeException unreadable) {
      return Optional.empty();
    }
  }
}
