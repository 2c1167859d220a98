package dev.usher.app.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

/**
 * Makes whole requests of the decoder's parts, or refuses what cannot become one with the right 4xx
 * and a closed connection: a request line too long gets 414, a header block too large 431, anything
 * else malformed 400 (the rest of the byte stream can no longer be trusted), a body over the limit
 * 413.
 *
 * <p>Netty's aggregator, except that a body over the limit always ends the connection: the stock
 * one keeps a keep-alive connection open and skips the rest of the body, which lets a client stream
 * an unbounded body at us. That holds for a request with {@code Expect: 100-continue} too, whose
 * refusal (413, or 417 for an expectation we do not support) is answered with {@code Connection:
 * close} and then the close.
 */
final class HttpRequestAssembler extends HttpObjectAggregator {

  private final LingeringClose lingering;

  HttpRequestAssembler(int maxContentLength, LingeringClose lingering) {
    super(maxContentLength, true);
    this.lingering = lingering;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof DecoderResultProvider provider && provider.decoderResult().isFailure()) {
      DecoderResult result = provider.decoderResult();
      ReferenceCountUtil.release(msg);
      if (ctx.channel().isActive()) {
        HttpErrorResponses.sendAndClose(ctx, statusFor(result.cause()), lingering);
      }
      return;
    }
    super.channelRead(ctx, msg);
  }

  private static HttpResponseStatus statusFor(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return HttpResponseStatus.REQUEST_URI_TOO_LONG;
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
    }
    return HttpResponseStatus.BAD_REQUEST;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    HttpErrorResponses.sendAndClose(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, lingering);
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
