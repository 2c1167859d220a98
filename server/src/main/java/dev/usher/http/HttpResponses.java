package dev.usher.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Responses with a short plain-text body, for services and for usher's own error answers. */
public final class HttpResponses {
  private static final String RETRY_AFTER_SECONDS = "1";

  private HttpResponses() {}

  /** {@code status} with a body naming it, such as {@code 404 Not Found}. */
  public static FullHttpResponse status(HttpResponseStatus status) {
    return text(status, Unpooled.copiedBuffer(status + "\n", StandardCharsets.US_ASCII));
  }

  /**
   * {@code 503 Service Unavailable} with {@code Retry-After: 1}: the server turned the request away
   * to protect itself, and the client may try again shortly.
   */
  public static FullHttpResponse overloaded() {
    FullHttpResponse response = status(HttpResponseStatus.SERVICE_UNAVAILABLE);
    response.headers().set(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
    return response;
  }

  /** {@code status} with {@code body} as {@code text/plain}; the response owns the body. */
  public static FullHttpResponse text(HttpResponseStatus status, ByteBuf body) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    return response;
  }
}
