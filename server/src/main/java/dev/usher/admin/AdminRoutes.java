package dev.usher.admin;

import dev.usher.http.HttpResponses;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The admin endpoints. Health answers are tiny; {@code /metrics} negotiates its format. */
@Sharable
final class AdminRoutes extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(AdminRoutes.class);
  private final PrometheusMeterRegistry registry;
  private final BooleanSupplier ready;
  private final ExpositionFormats formats = ExpositionFormats.init();

  AdminRoutes(PrometheusMeterRegistry registry, BooleanSupplier ready) {
    this.registry = registry;
    this.ready = ready;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request)
      throws IOException {
    FullHttpResponse response;
    if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
      response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n");
      response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
    } else {
      response =
          switch (new QueryStringDecoder(request.uri()).path()) {
            case "/metrics" -> metrics(ctx, request);
            case "/health/live" -> text(HttpResponseStatus.OK, "live\n");
            case "/health/ready" ->
                ready.getAsBoolean()
                    ? text(HttpResponseStatus.OK, "ready\n")
                    : text(HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready\n");
            default -> text(HttpResponseStatus.NOT_FOUND, "not found\n");
          };
    }
    HttpUtil.setKeepAlive(response, HttpUtil.isKeepAlive(request));
    if (request.method().equals(HttpMethod.HEAD)) {
      response.content().clear();
    }
    ctx.writeAndFlush(response);
  }

  private FullHttpResponse metrics(ChannelHandlerContext ctx, FullHttpRequest request)
      throws IOException {
    ExpositionFormatWriter writer =
        formats.findWriter(request.headers().get(HttpHeaderNames.ACCEPT));
    ByteBuf body = ctx.alloc().buffer();
    try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
      writer.write(out, registry.getPrometheusRegistry().scrape());
    } catch (IOException | RuntimeException failure) {
      body.release();
      throw failure;
    }
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, writer.getContentType())
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    return response;
  }

  private static FullHttpResponse text(HttpResponseStatus status, String body) {
    return HttpResponses.text(status, Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof IOException) {
      log.debug(
          "admin connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    } else {
      log.warn("admin request from {} failed", ctx.channel().remoteAddress(), cause);
    }
    ctx.close();
  }
}
