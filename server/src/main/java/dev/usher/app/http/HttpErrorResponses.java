package dev.usher.app.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * Error answers that end the connection: the status, a one-line reason, then a lingering close
 * ({@link LingeringClose}).
 */
final class HttpErrorResponses {
  private HttpErrorResponses() {}

  static void sendAndClose(
      ChannelHandlerContext ctx, HttpResponseStatus status, LingeringClose lingering) {
    sendAndClose(ctx, errorResponse(status), lingering);
  }

  static void sendAndClose(
      ChannelHandlerContext ctx, FullHttpResponse response, LingeringClose lingering) {
    if (LingeringClose.isLingering(ctx.channel())) {
      // An earlier answer already ended the connection: this one could not be sent.
      response.release();
      return;
    }
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    // Written from the keep-alive handler's place, not through it: Netty's keep-alive handling
    // would close the connection outright after an answer that says close, before it can linger.
    ChannelHandlerContext keepAlive = ctx.pipeline().context(HttpApplication.KEEP_ALIVE);
    ChannelHandlerContext writer = keepAlive != null ? keepAlive : ctx;
    writer.writeAndFlush(response).addListener((ChannelFutureListener) lingering::afterWrite);
  }

  static FullHttpResponse errorResponse(HttpResponseStatus status) {
    ByteBuf body = Unpooled.copiedBuffer(status + "\n", StandardCharsets.US_ASCII);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    return response;
  }
}
