package dev.usher.proxyprotocol;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/** PROXY protocol headers as load balancers write them (the spec's v1 text and v2 binary). */
public final class ProxyHeaders {
  private static final byte[] V2_SIGNATURE = {
    0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A
  };

  private ProxyHeaders() {}

  /** {@code PROXY TCP4 source destination sourcePort destinationPort\r\n}. */
  public static byte[] v1(String source, int sourcePort, String destination, int destinationPort) {
    return ("PROXY TCP4 "
            + source
            + " "
            + destination
            + " "
            + sourcePort
            + " "
            + destinationPort
            + "\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** A v2 {@code PROXY} header for TCP over IPv4. */
  public static byte[] v2(String source, int sourcePort, String destination, int destinationPort)
      throws UnknownHostException {
    ByteArrayOutputStream header = new ByteArrayOutputStream();
    header.writeBytes(V2_SIGNATURE);
    header.write(0x21); // version 2, command PROXY
    header.write(0x11); // AF_INET, STREAM
    header.write(0);
    header.write(12); // addresses: 4 + 4 + 2 + 2
    header.writeBytes(InetAddress.getByName(source).getAddress());
    header.writeBytes(InetAddress.getByName(destination).getAddress());
    header.write(sourcePort >> 8);
    header.write(sourcePort & 0xFF);
    header.write(destinationPort >> 8);
    header.write(destinationPort & 0xFF);
    return header.toByteArray();
  }

  /** A v2 {@code LOCAL} header: the balancer's own connection, such as a health check. */
  public static byte[] v2Local() {
    ByteArrayOutputStream header = new ByteArrayOutputStream();
    header.writeBytes(V2_SIGNATURE);
    header.write(0x20); // version 2, command LOCAL
    header.write(0x00); // AF_UNSPEC
    header.write(0);
    header.write(0);
    return header.toByteArray();
  }
}
