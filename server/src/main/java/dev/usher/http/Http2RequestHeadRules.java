package dev.usher.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Headers.PseudoHeaderName;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * The pseudo-headers a request must carry (RFC 9113 §8.3.1), checked on a stream's first HEADERS
 * frame before Netty turns it into HTTP: {@code :method}, {@code :scheme} and a non-empty {@code
 * :path}, or for {@code CONNECT} only {@code :authority}. A request without them is malformed: the
 * stream is reset with {@code PROTOCOL_ERROR}.
 */
final class Http2RequestHeadRules extends ChannelInboundHandlerAdapter {
  private boolean headSeen;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (headSeen || !(msg instanceof Http2HeadersFrame head)) {
      ctx.fireChannelRead(msg);
      return;
    }
    headSeen = true;
    if (wellFormed(head.headers())) {
      ctx.pipeline().remove(this);
      ctx.fireChannelRead(msg);
    } else {
      ReferenceCountUtil.release(msg);
      ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR));
    }
  }

  private static boolean wellFormed(Http2Headers headers) {
    CharSequence method = headers.method();
    if (method == null) {
      return false;
    }
    if (HttpMethod.CONNECT.asciiName().contentEquals(method)) {
      return headers.authority() != null
          && !headers.contains(PseudoHeaderName.SCHEME.value())
          && !headers.contains(PseudoHeaderName.PATH.value());
    }
    return headers.scheme() != null && headers.path() != null && headers.path().length() > 0;
  }
}
