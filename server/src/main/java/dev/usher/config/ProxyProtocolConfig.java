package dev.usher.config;

import java.time.Duration;
import java.util.List;

/**
 * The PROXY protocol on the main listener ({@code server.proxy-protocol.*}): with {@code on}, a
 * connection from a trusted source must begin with a v1 or v2 header, whose address is then the
 * client's; a header from any other source is refused.
 *
 * @param trustedSources the load balancers allowed to send a header ({@code
 *     server.proxy-protocol.trusted-sources})
 * @param timeout how long a trusted source has to send its header
 */
public record ProxyProtocolConfig(boolean enabled, List<Cidr> trustedSources, Duration timeout) {}
