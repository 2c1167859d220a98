package dev.usher.app.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;

/**
 * Netty's aggregator, except that a body over the limit always ends the connection after the 413:
 * the stock one keeps a keep-alive connection open and skips the rest of the body, which lets a
 * client stream an unbounded body at us. That holds for a request with {@code Expect: 100-continue}
 * too, whose refusal (413, or 417 for an expectation we do not support) is answered with {@code
 * Connection: close} and then the close.
 */
final class ClosingHttpObjectAggregator extends HttpObjectAggregator {

  ClosingHttpObjectAggregator(int maxContentLength) {
    super(maxContentLength, true);
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    HttpErrorResponses.sendAndClose(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
  }

  // The refusal is a fresh copy of Netty's shared response, so its headers are ours to change.
  @Override
  protected Object newContinueResponse(
      HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
    Object response = super.newContinueResponse(start, maxContentLength, pipeline);
    if (response instanceof HttpResponse refusal
        && refusal.status().codeClass() == HttpStatusClass.CLIENT_ERROR) {
      refusal.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return response;
  }
}
