package dev.usher.proxyprotocol;

import dev.usher.accept.Refusal;
import dev.usher.connection.ClientAddress;
import io.micrometer.core.instrument.Counter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Behind Netty's {@code HAProxyMessageDecoder} on a connection from a trusted source: takes the
 * header's client address as the connection's, then steps aside. A connection whose header is
 * invalid, or has not arrived within the timeout, is refused ({@code proxy_protocol_error}). A
 * {@code LOCAL} header (the balancer's own health check) keeps the peer's address.
 */
final class ProxyHeaderReceiver extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ProxyHeaderReceiver.class);

  private final long timeoutNanos;
  private final Counter refused;
  private Future<?> timeout;
  private boolean done;

  ProxyHeaderReceiver(long timeoutNanos, Counter refused) {
    this.timeoutNanos = timeoutNanos;
    this.refused = refused;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    timeout =
        ctx.executor()
            .schedule(
                () -> refuse(ctx, "no PROXY protocol header in time"),
                timeoutNanos,
                TimeUnit.NANOSECONDS);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    timeout.cancel(false);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof HAProxyMessage header)) {
      ctx.fireChannelRead(msg);
      return;
    }
    try {
      if (header.command() == HAProxyCommand.PROXY
          && header.proxiedProtocol() != HAProxyProxiedProtocol.UNKNOWN
          && header.sourceAddress() != null) {
        ClientAddress.proxied(
            ctx.channel(), new InetSocketAddress(header.sourceAddress(), header.sourcePort()));
      }
    } finally {
      header.release();
    }
    done = true;
    ctx.pipeline().remove(this);
  }

  // The receiver leaves the pipeline with the header taken, so an error reaching it is the
  // decoder's: the first refuses the connection, the decoder's later ones about the same bytes
  // are dropped.
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    refuse(ctx, cause.getMessage());
  }

  private void refuse(ChannelHandlerContext ctx, String why) {
    if (done) {
      return;
    }
    done = true;
    refused.increment();
    log.debug("connection from {} refused: {}", ctx.channel().remoteAddress(), why);
    Refusal.reset(ctx.channel());
  }
}
