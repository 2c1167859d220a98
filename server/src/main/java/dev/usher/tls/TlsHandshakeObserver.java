package dev.usher.tls;

import dev.usher.connection.ClientAddress;
import dev.usher.metrics.TlsMeters;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Behind a connection's {@code SslHandler}, until its handshake ends: times it on the worker's
 * ticker from the connection's start, counts its result, and then steps aside (a served connection
 * pays nothing for it). A failed handshake is the client's doing: its errors are logged at debug
 * only, and the connection closes.
 */
final class TlsHandshakeObserver extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(TlsHandshakeObserver.class);

  private final TlsMeters meters;
  private final Optional<SessionResumption> resumption;
  private long startNanos;
  private boolean failed;

  TlsHandshakeObserver(TlsMeters meters, Optional<SessionResumption> resumption) {
    this.meters = meters;
    this.resumption = resumption;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    startNanos = ctx.executor().ticker().nanoTime();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof SslHandshakeCompletionEvent completion && !failed) {
      if (completion.isSuccess()) {
        meters.handshakeSucceeded(ctx.executor().ticker().nanoTime() - startNanos, resumed(ctx));
        ctx.pipeline().remove(this);
      } else {
        failed = true;
        HandshakeResult reason = HandshakeResult.ofFailure(completion.cause());
        meters.handshakeFailed(reason);
        log.debug(
            "TLS handshake with {} failed ({}): {}",
            ClientAddress.of(ctx.channel()),
            reason.tag(),
            completion.cause().toString());
        ctx.close();
      }
    }
    ctx.fireUserEventTriggered(event);
  }

  private boolean resumed(ChannelHandlerContext ctx) {
    if (resumption.isEmpty()) {
      return false;
    }
    SslHandler tls = ctx.pipeline().get(SslHandler.class);
    return tls != null && resumption.get().resumed(tls.engine());
  }

  // Until the handshake succeeds, an error is the handshake's: counted above, closed, not logged
  // as a server fault.
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug(
        "TLS connection from {} failed: {}", ClientAddress.of(ctx.channel()), cause.toString());
    ctx.close();
  }
}
