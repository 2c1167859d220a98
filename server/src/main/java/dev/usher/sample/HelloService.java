package dev.usher.sample;

import dev.usher.http.HttpExchange;
import dev.usher.http.HttpResponses;
import dev.usher.http.HttpService;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The sample HTTP service: {@code GET /} (and {@code HEAD /}) answer a short text, {@code POST
 * /echo} sends the body back, and, where the load routes are on, {@code GET /sleep?ms=N} blocks (on
 * usher's blocking work, see {@link SleepService}) and {@code GET /work?cpu=MICROS} keeps the
 * worker busy ({@link WorkService}). Another method on a known path gets 405 with {@code Allow}; an
 * unknown path 404. This is the class a forking team replaces with its own.
 */
public final class HelloService implements HttpService {
  private final Map<String, HttpService> loadRoutes;

  /** The routes {@code /} and {@code /echo}. */
  public HelloService() {
    this(Map.of());
  }

  /**
   * @param loadRoutes more {@code GET} routes, by path: those that cost work, for tests and load
   */
  public HelloService(Map<String, HttpService> loadRoutes) {
    this.loadRoutes = Map.copyOf(loadRoutes);
  }

  // Each response sends a duplicate: its own indexes over these shared bytes. (A read-only view
  // would protect them, but costs a slow copy on every response.)
  private static final ByteBuf HELLO =
      Unpooled.unreleasableBuffer(
          Unpooled.directBuffer()
              .writeBytes("hello from usher\n".getBytes(StandardCharsets.US_ASCII)));

  @Override
  public void serve(FullHttpRequest request, HttpExchange exchange) throws Exception {
    HttpMethod method = request.method();
    String uri = request.uri();
    // Most requests are for "/": no need to decode a query that is not there.
    String path = uri.equals("/") ? uri : new QueryStringDecoder(uri).path();
    HttpService loadRoute = loadRoutes.get(path);
    if (loadRoute != null) {
      if (method.equals(HttpMethod.GET)) {
        loadRoute.serve(request, exchange);
      } else {
        exchange.respond(methodNotAllowed("GET"));
      }
      return;
    }
    exchange.respond(
        switch (path) {
          case "/" ->
              method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)
                  ? HttpResponses.text(HttpResponseStatus.OK, HELLO.duplicate())
                  : methodNotAllowed("GET, HEAD");
          case "/echo" -> method.equals(HttpMethod.POST) ? echo(request) : methodNotAllowed("POST");
          default -> HttpResponses.status(HttpResponseStatus.NOT_FOUND);
        });
  }

  private static FullHttpResponse echo(FullHttpRequest request) {
    ByteBuf body = request.content().retain();
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
    String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
    response
        .headers()
        .set(
            HttpHeaderNames.CONTENT_TYPE,
            contentType != null ? contentType : HttpHeaderValues.APPLICATION_OCTET_STREAM)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    return response;
  }

  private static FullHttpResponse methodNotAllowed(String allowed) {
    FullHttpResponse response = HttpResponses.status(HttpResponseStatus.METHOD_NOT_ALLOWED);
    response.headers().set(HttpHeaderNames.ALLOW, allowed);
    return response;
  }
}
