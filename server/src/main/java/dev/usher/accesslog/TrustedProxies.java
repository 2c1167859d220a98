package dev.usher.accesslog;

import dev.usher.config.Cidr;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Who the client is when a proxy stands between it and usher ({@code http.trusted-proxies}): from a
 * peer in one of these networks, the client named by {@code Forwarded} (RFC 7239) or, without it,
 * {@code X-Forwarded-For}; from any other peer, the peer itself, whatever those headers say.
 *
 * <p>The headers are read from the right, the hop nearest usher, as nginx's {@code
 * real_ip_recursive} does: each address a trusted proxy added is passed over, and the first that is
 * not a trusted proxy is the client. A value that is not an IP address ({@code unknown}, an
 * obfuscated {@code _node}, garbage) ends the walk at the proxy that passed it on, and so does the
 * {@value #MAX_HOPS}th hop: a hostile header costs a bounded walk, and whatever it holds, the
 * address written is one parsed from it or the peer's, never its text.
 */
public final class TrustedProxies {
  static final int MAX_HOPS = 16;
  // The longest address worth parsing: a bracketed IPv6 address with a port.
  private static final int MAX_HOP_CHARS = 64;

  /** No trusted proxies: the client is always the peer. */
  public static final TrustedProxies NONE = new TrustedProxies(List.of());

  private final List<IpSubnetFilterRule> networks;

  public TrustedProxies(List<Cidr> networks) {
    this.networks =
        networks.stream()
            .map(
                network ->
                    new IpSubnetFilterRule(
                        network.address(), network.prefixLength(), IpFilterRuleType.ACCEPT))
            .toList();
  }

  /** Whether any proxy is trusted: only then are the forwarding headers worth reading. */
  public boolean any() {
    return !networks.isEmpty();
  }

  /**
   * The client's address as the access log writes it.
   *
   * @param peer the connection's client: its peer, or the address a PROXY protocol header named
   * @param forwarded the request's {@code Forwarded} field lines joined by commas, or null
   * @param forwardedFor its {@code X-Forwarded-For} lines joined by commas, or null
   */
  public String client(SocketAddress peer, String forwarded, String forwardedFor) {
    if (!(peer instanceof InetSocketAddress socket) || socket.getAddress() == null) {
      return String.valueOf(peer);
    }
    InetAddress client = socket.getAddress();
    if (trusts(client)) {
      if (forwarded != null) {
        client = walk(client, forwarded, true);
      } else if (forwardedFor != null) {
        client = walk(client, forwardedFor, false);
      }
    }
    return NetUtil.toAddressString(client);
  }

  private boolean trusts(InetAddress address) {
    InetSocketAddress socket = new InetSocketAddress(address, 0);
    for (IpSubnetFilterRule network : networks) {
      if (network.matches(socket)) {
        return true;
      }
    }
    return false;
  }

  // From the right: each hop is the address the proxy before it (trusted, or we would not be
  // reading its word) saw connect.
  private InetAddress walk(InetAddress proxy, String hops, boolean rfc7239) {
    InetAddress current = proxy;
    int end = hops.length();
    for (int hop = 0; hop < MAX_HOPS && end > 0; hop++) {
      int comma = hops.lastIndexOf(',', end - 1);
      String element = hops.substring(comma + 1, end);
      end = comma;
      InetAddress address = parse(rfc7239 ? forParameter(element) : element);
      if (address == null) {
        return current;
      }
      current = address;
      if (!trusts(address)) {
        return current;
      }
    }
    return current;
  }

  // RFC 7239 4: for=192.0.2.60;proto=http;by=203.0.113.43, the parameter name case-insensitive.
  private static String forParameter(String element) {
    for (String pair : element.split(";", MAX_HOPS)) {
      String stripped = pair.strip();
      if (stripped.regionMatches(true, 0, "for=", 0, 4)) {
        return stripped.substring(4);
      }
    }
    return null;
  }

  /** An IP address, bracketed, quoted or with a port as proxies write them, or null. */
  static InetAddress parse(String written) {
    if (written == null) {
      return null;
    }
    String value = written.strip();
    if (value.length() > MAX_HOP_CHARS) {
      return null;
    }
    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
      value = value.substring(1, value.length() - 1);
    }
    if (value.startsWith("[")) {
      int close = value.indexOf(']');
      if (close < 0) {
        return null;
      }
      value = value.substring(1, close);
    } else if (value.indexOf(':') >= 0 && value.indexOf(':') == value.lastIndexOf(':')) {
      // IPv4 with a port; an IPv6 address has more than one colon.
      value = value.substring(0, value.indexOf(':'));
    }
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(value);
    if (bytes == null) {
      return null;
    }
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException impossible) {
      return null;
    }
  }
}
