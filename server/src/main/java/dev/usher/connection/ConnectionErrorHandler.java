package dev.usher.connection;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.PrematureChannelClosureException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last resort for an error no handler dealt with: it closes the connection and is logged once
 * with the client's address. Resets, broken pipes and a client hanging up in the middle of a
 * request (Netty's aggregator reports that as a premature closure) are what clients do; they are
 * logged at debug only. The last handler of a connection, unless that is an {@link OwnsErrors},
 * which calls {@link #closeAfter} itself.
 */
@Sharable
public final class ConnectionErrorHandler extends ChannelInboundHandlerAdapter {
  static final ConnectionErrorHandler INSTANCE = new ConnectionErrorHandler();
  private static final Logger log = LoggerFactory.getLogger(ConnectionErrorHandler.class);

  private ConnectionErrorHandler() {}

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    closeAfter(ctx, cause);
  }

  /** Logs an error no handler dealt with and closes the connection. */
  public static void closeAfter(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof IOException || cause instanceof PrematureChannelClosureException) {
      log.debug("connection from {} failed: {}", ClientAddress.of(ctx.channel()), cause.toString());
    } else {
      log.warn(
          "connection from {} closed after an unhandled error",
          ClientAddress.of(ctx.channel()),
          cause);
    }
    ctx.close();
  }
}
