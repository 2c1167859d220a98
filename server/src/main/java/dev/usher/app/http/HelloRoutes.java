package dev.usher.app.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The built-in HTTP routes: {@code GET /} (and {@code HEAD /}) answer a short text, {@code POST
 * /echo} sends the body back. Another method on a known path gets 405 with {@code Allow}; an
 * unknown path 404. This is the handler a forking team replaces with its own.
 */
@Sharable
final class HelloRoutes extends SimpleChannelInboundHandler<FullHttpRequest> {

  // Each response sends a duplicate: its own indexes over these shared bytes. (A read-only view
  // would protect them, but costs a slow copy on every response.)
  private static final ByteBuf HELLO =
      Unpooled.unreleasableBuffer(
          Unpooled.directBuffer()
              .writeBytes("hello from usher\n".getBytes(StandardCharsets.US_ASCII)));

  private final LingeringClose lingering;

  HelloRoutes(LingeringClose lingering) {
    this.lingering = lingering;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    String path = new QueryStringDecoder(request.uri()).path();
    HttpMethod method = request.method();
    switch (path) {
      case "/" -> {
        if (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)) {
          respond(ctx, request, text(request, HELLO.duplicate(), method.equals(HttpMethod.HEAD)));
        } else {
          methodNotAllowed(ctx, "GET, HEAD");
        }
      }
      case "/echo" -> {
        if (method.equals(HttpMethod.POST)) {
          respond(ctx, request, echo(request));
        } else {
          methodNotAllowed(ctx, "POST");
        }
      }
      default ->
          respond(ctx, request, HttpErrorResponses.errorResponse(HttpResponseStatus.NOT_FOUND));
    }
  }

  private static FullHttpResponse text(FullHttpRequest request, ByteBuf body, boolean headOnly) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            request.protocolVersion(),
            HttpResponseStatus.OK,
            headOnly ? Unpooled.EMPTY_BUFFER : body);
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    return response;
  }

  private static FullHttpResponse echo(FullHttpRequest request) {
    ByteBuf body = request.content().retain();
    FullHttpResponse response =
        new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.OK, body);
    String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
    response
        .headers()
        .set(
            HttpHeaderNames.CONTENT_TYPE,
            contentType != null ? contentType : HttpHeaderValues.APPLICATION_OCTET_STREAM)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    return response;
  }

  private static void respond(
      ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response) {
    HttpUtil.setKeepAlive(response, HttpUtil.isKeepAlive(request));
    ctx.write(response, ctx.voidPromise());
  }

  // Pipelined requests arrive in one read: answer them all, then flush once.
  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
    ctx.fireChannelReadComplete();
  }

  private void methodNotAllowed(ChannelHandlerContext ctx, String allowed) {
    FullHttpResponse response =
        HttpErrorResponses.errorResponse(HttpResponseStatus.METHOD_NOT_ALLOWED);
    response.headers().set(HttpHeaderNames.ALLOW, allowed);
    HttpErrorResponses.sendAndClose(ctx, response, lingering);
  }
}
