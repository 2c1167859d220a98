package dev.usher.config;

import io.netty.util.NetUtil;
import java.util.Optional;

/**
 * An IP network written in CIDR notation, such as {@code 10.0.0.0/8} or {@code ::1/128}; a bare
 * address is the network of that one address.
 *
 * @param address the network's address, as written
 * @param prefixLength how many leading bits of an address the network fixes
 */
public record Cidr(String address, int prefixLength) {

  /** The network {@code written} names, or empty when it is not CIDR notation. */
  public static Optional<Cidr> parse(String written) {
    String[] parts = written.strip().split("/", -1);
    if (parts.length > 2) {
      return Optional.empty();
    }
    String address = parts[0];
    int maxPrefix;
    if (NetUtil.isValidIpV4Address(address)) {
      maxPrefix = 32;
    } else if (NetUtil.isValidIpV6Address(address)) {
      maxPrefix = 128;
    } else {
      return Optional.empty();
    }
    if (parts.length == 1) {
      return Optional.of(new Cidr(address, maxPrefix));
    }
    try {
      int prefix = Integer.parseInt(parts[1]);
      return prefix >= 0 && prefix <= maxPrefix && parts[1].equals(Integer.toString(prefix))
          ? Optional.of(new Cidr(address, prefix))
          : Optional.empty();
    } catch (NumberFormatException notANumber) {
      return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return address + "/" + prefixLength;
  }
}
