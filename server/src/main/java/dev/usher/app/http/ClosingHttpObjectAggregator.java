package dev.usher.app.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Netty's aggregator, except that a body over the limit always ends the connection after the 413:
 * the stock one keeps a keep-alive connection open and skips the rest of the body, which lets a
 * client stream an unbounded body at us.
 */
final class ClosingHttpObjectAggregator extends HttpObjectAggregator {

  ClosingHttpObjectAggregator(int maxContentLength) {
    super(maxContentLength);
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    HttpErrorResponses.sendAndClose(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
  }
}
