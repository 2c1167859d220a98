package dev.usher.lifecycle;

import java.net.InetSocketAddress;

/** Turns a failed bind into the one line that says what happened and what to do about it. */
final class BindFailures {
  private BindFailures() {}

  static StartupException describe(
      String listener, String portKey, InetSocketAddress address, Throwable failure) {
    String where =
        listener
            + " listener on "
            + Endpoints.hostAndPort(address.getHostString(), address.getPort());
    String detail = messages(failure);
    String explanation;
    if (address.isUnresolved()) {
      explanation =
          "host "
              + address.getHostString()
              + " does not resolve to an address (check its spelling and DNS)";
    } else if (detail.contains("Address already in use")) {
      explanation =
          "port "
              + address.getPort()
              + " is already in use by another process (find it with: ss -ltnp 'sport = :"
              + address.getPort()
              + "'); stop it or choose another "
              + portKey;
    } else if (detail.contains("Cannot assign requested address")) {
      explanation =
          "address "
              + address.getAddress().getHostAddress()
              + " is not on this host (EADDRNOTAVAIL); use one of its addresses (ip -brief address)"
              + " or 0.0.0.0 for all";
    } else if (detail.contains("Permission denied") || detail.contains("Access denied")) {
      explanation =
          "port "
              + address.getPort()
              + " is privileged (below net.ipv4.ip_unprivileged_port_start); run with"
              + " CAP_NET_BIND_SERVICE or choose a port of 1024 or more";
    } else {
      explanation = detail;
    }
    return new StartupException("cannot bind " + where + ": " + explanation, failure);
  }

  private static String messages(Throwable failure) {
    StringBuilder all = new StringBuilder();
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause.getMessage() != null) {
        all.append(cause.getMessage()).append("; ");
      }
    }
    return all.isEmpty() ? failure.getClass().getSimpleName() : all.substring(0, all.length() - 2);
  }
}
