package dev.usher.proxyprotocol;

import dev.usher.accept.RefusalReason;
import dev.usher.config.Cidr;
import dev.usher.config.ProxyProtocolConfig;
import dev.usher.connection.PipelineNames;
import io.micrometer.core.instrument.Counter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;

/**
 * The PROXY protocol on one listener: decides, once per connection and by its peer's address,
 * whether the connection must open with a header (a trusted load balancer) or must not (anyone
 * else, who could otherwise choose the address usher believes).
 */
public final class ProxyProtocolFront {
  private final List<IpSubnetFilterRule> trustedSources;
  private final long timeoutNanos;
  private final Counter headerErrors;
  private final Counter untrusted;

  /**
   * @param refused the listener's refusal counters; this front counts {@code proxy_protocol_error}
   *     and {@code proxy_untrusted}
   */
  public ProxyProtocolFront(ProxyProtocolConfig config, Map<RefusalReason, Counter> refused) {
    this.trustedSources = config.trustedSources().stream().map(ProxyProtocolFront::rule).toList();
    this.timeoutNanos = config.timeout().toNanos();
    this.headerErrors = refused.get(RefusalReason.PROXY_PROTOCOL_ERROR);
    this.untrusted = refused.get(RefusalReason.PROXY_UNTRUSTED);
  }

  private static IpSubnetFilterRule rule(Cidr network) {
    return new IpSubnetFilterRule(
        network.address(), network.prefixLength(), IpFilterRuleType.ACCEPT);
  }

  /** Adds, first in a newly accepted connection's pipeline, what its peer's trust calls for. */
  public void install(ChannelPipeline pipeline) {
    if (isTrusted(pipeline.channel().remoteAddress())) {
      pipeline.addLast(PipelineNames.PROXY_DECODER, new HAProxyMessageDecoder());
      pipeline.addLast(
          PipelineNames.PROXY_HEADER, new ProxyHeaderReceiver(timeoutNanos, headerErrors));
    } else {
      pipeline.addLast(PipelineNames.PROXY_HEADER, new ProxyHeaderGuard(untrusted));
    }
  }

  boolean isTrusted(SocketAddress peer) {
    if (!(peer instanceof InetSocketAddress address)) {
      return false;
    }
    for (IpSubnetFilterRule source : trustedSources) {
      if (source.matches(address)) {
        return true;
      }
    }
    return false;
  }
}
