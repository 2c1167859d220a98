package dev.usher.config;

import java.util.ArrayList;
import java.util.List;

/** Values that work but deserve an operator's attention, as one log line each. */
final class ConfigWarnings {
  private static final int FIRST_UNPRIVILEGED_PORT = 1024;

  private final KernelNetworkSettings kernel;

  ConfigWarnings(KernelNetworkSettings kernel) {
    this.kernel = kernel;
  }

  List<String> of(UsherConfig config) {
    List<String> warnings = new ArrayList<>();
    port("server.port", config.server().port(), warnings);
    port("admin.port", config.admin().port(), warnings);
    int backlog = config.server().backlog();
    if (backlog > kernel.somaxconn()) {
      warnings.add(
          "server.backlog = "
              + backlog
              + " is above net.core.somaxconn = "
              + kernel.somaxconn()
              + ": the kernel will use "
              + kernel.somaxconn()
              + " (raise net.core.somaxconn to allow more)");
    }
    return warnings;
  }

  private void port(String key, int port, List<String> warnings) {
    if (port > 0 && port < FIRST_UNPRIVILEGED_PORT) {
      warnings.add(
          key
              + " = "
              + port
              + " is a privileged port (1-1023): binding it needs root or CAP_NET_BIND_SERVICE");
    }
    kernel
        .ephemeralPorts()
        .filter(range -> range.contains(port))
        .ifPresent(
            range ->
                warnings.add(
                    key
                        + " = "
                        + port
                        + " lies in the kernel's ephemeral port range "
                        + range.first()
                        + "-"
                        + range.last()
                        + " (net.ipv4.ip_local_port_range): an outgoing connection may hold it"
                        + " when usher starts"));
  }
}
