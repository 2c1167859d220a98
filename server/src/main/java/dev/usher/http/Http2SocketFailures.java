package dev.usher.http;

import dev.usher.connection.ClientAddress;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Below HTTP/2's frame codec: a connection whose socket failed (the client reset it, a broken pipe)
 * is closed here, beneath the codec. Closed above it, the codec would first write a GOAWAY that
 * cannot arrive, and count it as sent.
 */
final class Http2SocketFailures extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(Http2SocketFailures.class);

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof IOException) {
      log.debug(
          "HTTP/2 connection from {} failed: {}",
          ClientAddress.of(ctx.channel()),
          cause.toString());
      ctx.close();
    } else {
      ctx.fireExceptionCaught(cause);
    }
  }
}
