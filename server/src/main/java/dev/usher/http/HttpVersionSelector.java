package dev.usher.http;

import dev.usher.accept.QueueTimeout;
import dev.usher.accept.Refusal;
import dev.usher.connection.PipelineNames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.List;

/**
 * Decides, once per connection, which HTTP version it speaks, in front of the {@link
 * HttpConnection} that serves HTTP/1.1 (and already counts the connection's idle time): over TLS by
 * what ALPN settled on, in cleartext by whether the first bytes are HTTP/2's connection preface
 * (prior knowledge, RFC 9113 §3.3). On HTTP/2 it puts the HTTP/2 handlers in the connection's
 * place; otherwise it steps aside.
 */
final class HttpVersionSelector extends ByteToMessageDecoder {
  private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();
  // "PRI * HTTP/2.0\r\n": no HTTP/1.1 request starts so. From here HTTP/2's codec judges the rest
  // of
  // the preface, and answers a corrupt one with GOAWAY PROTOCOL_ERROR as RFC 9113 §3.4 asks.
  private static final int HTTP2_FROM = 16;

  private final Http2Pipeline http2;
  private final boolean overTls;

  HttpVersionSelector(Http2Pipeline http2, boolean overTls) {
    this.http2 = http2;
    this.overTls = overTls;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof SslHandshakeCompletionEvent completion && completion.isSuccess()) {
      SslHandler tls = ctx.pipeline().get(SslHandler.class);
      if (ApplicationProtocolNames.HTTP_2.equals(tls.applicationProtocol())) {
        switchToHttp2(ctx);
      } else {
        ctx.pipeline().remove(this);
      }
    }
    super.userEventTriggered(ctx, event);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (overTls) {
      // TLS decides by ALPN at the handshake's end; anything read before is not ours to judge.
      ctx.pipeline().remove(this);
      return;
    }
    int compared = Math.min(in.readableBytes(), HTTP2_FROM);
    if (!ByteBufUtil.equals(in, in.readerIndex(), PREFACE, 0, compared)) {
      ctx.pipeline().remove(this);
    } else if (compared == HTTP2_FROM && QueueTimeout.waitedTooLong(ctx.channel())) {
      // Too late for a 503 of HTTP/1.1, and an HTTP/2 answer would need the whole handshake.
      in.skipBytes(in.readableBytes());
      Refusal.reset(ctx.channel());
    } else if (compared == HTTP2_FROM) {
      switchToHttp2(ctx);
    }
  }

  // The HTTP/2 handlers take the HTTP/1.1 connection's place; what this selector holds (the
  // preface, perhaps more) goes on to them as it leaves.
  private void switchToHttp2(ChannelHandlerContext ctx) {
    ctx.pipeline().remove(PipelineNames.HTTP);
    http2.addAfter(ctx);
    ctx.pipeline().remove(this);
  }
}
