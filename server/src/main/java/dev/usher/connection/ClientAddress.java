package dev.usher.connection;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.SocketAddress;

/**
 * The client's address as usher shows it everywhere (logs, the application's view): the one a
 * trusted load balancer's PROXY protocol header carried, else the socket's peer.
 */
public final class ClientAddress {
  private static final AttributeKey<SocketAddress> PROXIED =
      AttributeKey.valueOf(ClientAddress.class, "proxied");

  private ClientAddress() {}

  /** The client's address on {@code connection}. */
  public static SocketAddress of(Channel connection) {
    SocketAddress proxied = connection.attr(PROXIED).get();
    return proxied != null ? proxied : connection.remoteAddress();
  }

  /** Records the address a trusted PROXY protocol header named as the client's. */
  public static void proxied(Channel connection, SocketAddress client) {
    connection.attr(PROXIED).set(client);
  }
}
