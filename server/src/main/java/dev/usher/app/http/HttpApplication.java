package dev.usher.app.http;

import dev.usher.app.UsherApplication;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.function.Supplier;

/**
 * HTTP/1.1 with keep-alive and pipelining, on Netty's codec: {@code GET /} answers a short text,
 * {@code POST /echo} echoes the body. Malformed, oversized and unsupported requests get the right
 * 4xx and a closed connection. A connection gets its HTTP handlers when its first bytes arrive
 * ({@link HttpSetupOnFirstByte}).
 */
public final class HttpApplication implements UsherApplication {
  /** The handler that sees a request's raw bytes first: what comes before it is usher's own. */
  static final String FIRST_BYTE = "http-first-byte";

  /** Netty's keep-alive handling, with the drain. */
  static final String KEEP_ALIVE = "http-keep-alive";

  private static final int MAX_CHUNK_BYTES = 8192;

  private final HttpLimits limits;
  private final Supplier<ChannelHandler> exchangeObserver;
  private final HttpDecoderConfig decoder;
  private final LingeringClose lingering;
  private final HelloRoutes routes;
  private final HttpSetupOnFirstByte setupOnFirstByte =
      new HttpSetupOnFirstByte(this::addHttpHandlers);

  /**
   * @param exchangeObserver makes, per connection, the handler that measures HTTP exchanges; it
   *     sits right after the codec and sees every request and response
   */
  public HttpApplication(HttpLimits limits, Supplier<ChannelHandler> exchangeObserver) {
    this.limits = limits;
    this.exchangeObserver = exchangeObserver;
    this.decoder =
        new HttpDecoderConfig()
            .setMaxInitialLineLength(limits.maxInitialLineBytes())
            .setMaxHeaderSize(limits.maxHeaderBytes())
            .setMaxChunkSize(MAX_CHUNK_BYTES);
    this.lingering = LingeringClose.of(limits.lingeringTimeout(), limits.lingeringTime());
    this.routes = new HelloRoutes(lingering);
  }

  @Override
  public String name() {
    return "http";
  }

  @Override
  public void initConnection(ChannelPipeline pipeline) {
    pipeline.addLast("http-setup", setupOnFirstByte);
  }

  private void addHttpHandlers(ChannelPipeline pipeline, String after) {
    RequestDeadline deadline = new RequestDeadline(limits.requestTimeout().toNanos(), lingering);
    // The meters sit right behind the codec, ahead of every handler that answers, so they see
    // every response. The assembler follows them: the handlers after it see one message per
    // request rather than its parts, and each handler a message passes costs on every request.
    pipeline
        .addAfter(after, FIRST_BYTE, deadline.firstByteWatcher())
        .addAfter(FIRST_BYTE, "http-codec", new HttpServerCodec(decoder))
        .addAfter("http-codec", "http-meters", exchangeObserver.get())
        .addAfter(
            "http-meters",
            "http-assembler",
            new HttpRequestAssembler(limits.maxRequestBytes(), lingering))
        .addAfter("http-assembler", "http-request-deadline", deadline)
        .addAfter(
            "http-request-deadline",
            KEEP_ALIVE,
            new DrainingKeepAliveHandler(deadline::requestInProgress, lingering))
        .addAfter(KEEP_ALIVE, "http-routes", routes);
  }
}
