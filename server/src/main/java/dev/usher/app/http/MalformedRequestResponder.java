package dev.usher.app.http;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

/**
 * Answers what Netty's decoder could not parse: a request line too long gets 414, a header block
 * too large 431, anything else malformed 400; then the connection closes, since the rest of the
 * byte stream can no longer be trusted.
 */
@Sharable
final class MalformedRequestResponder extends ChannelInboundHandlerAdapter {
  static final MalformedRequestResponder INSTANCE = new MalformedRequestResponder();

  private MalformedRequestResponder() {}

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof DecoderResultProvider provider && provider.decoderResult().isFailure()) {
      DecoderResult result = provider.decoderResult();
      ReferenceCountUtil.release(msg);
      if (ctx.channel().isActive()) {
        HttpErrorResponses.sendAndClose(ctx, statusFor(result.cause()));
      }
      return;
    }
    ctx.fireChannelRead(msg);
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
}
