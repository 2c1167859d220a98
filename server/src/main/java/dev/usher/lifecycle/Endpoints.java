package dev.usher.lifecycle;

/** How usher writes an address in logs: {@code host:port}, with IPv6 hosts in brackets. */
final class Endpoints {
  private Endpoints() {}

  static String hostAndPort(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
