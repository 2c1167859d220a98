package dev.usher.http;

import dev.usher.connection.PipelineNames;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import java.util.concurrent.TimeUnit;

/**
 * The handlers of an HTTP/2 connection, made for each connection that turns out to speak it:
 * Netty's frame codec (with usher's limits), its stream multiplexer, and {@link Http2Session}; each
 * stream's child channel gets one handler, an {@link Http2StreamExchange}, which reads the request
 * from its frames (a body bounded by {@code http.max-body-bytes}) for the {@link HttpService}.
 *
 * <p>Limits (RFC 9113 and CVE-2023-44487's): {@code http.http2.max-concurrent-streams} in SETTINGS
 * (one stream more is refused with {@code REFUSED_STREAM}); a header list at most {@code
 * http.max-header-bytes}; at most {@value #MAX_RESETS_PER_WINDOW} resets received, and as many
 * caused, per {@value #RESET_WINDOW_SECONDS} s, past which the connection gets a GOAWAY ({@code
 * ENHANCE_YOUR_CALM}); flow-control windows of Netty's default, 64 KiB.
 */
final class Http2Pipeline {
  static final int MAX_RESETS_PER_WINDOW = 200;
  static final int RESET_WINDOW_SECONDS = 30;
  private static final long PING_PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final HttpConnectionRules rules;
  private final Http2Settings settings;
  private final int maxHeaderBytes;
  private final Http2Observer observer;
  private final StreamStarter streams;

  Http2Pipeline(
      HttpConnectionRules rules,
      Http2Settings settings,
      int maxHeaderBytes,
      ExchangeRecorder.PerLoop recorders,
      Http2Observer observer) {
    this.rules = rules;
    this.settings = settings;
    this.maxHeaderBytes = maxHeaderBytes;
    this.observer = observer;
    this.streams = new StreamStarter(rules, recorders, observer);
  }

  /** Puts a new HTTP/2 connection's handlers right after {@code ctx}. */
  void addAfter(ChannelHandlerContext ctx) {
    ChannelPipeline pipeline = ctx.pipeline();
    pipeline.addAfter(ctx.name(), PipelineNames.HTTP2_SOCKET_FAILURES, new Http2SocketFailures());
    pipeline.addAfter(
        PipelineNames.HTTP2_SOCKET_FAILURES,
        PipelineNames.HTTP2_CODEC,
        Http2FrameCodecBuilder.forServer()
            .initialSettings(
                io.netty.handler.codec.http2.Http2Settings.defaultSettings()
                    .maxConcurrentStreams(settings.maxConcurrentStreams())
                    .maxHeaderListSize(maxHeaderBytes))
            // An id is new with every answer: indexed, it would only churn HPACK's table.
            .headerSensitivityDetector(
                (name, value) -> RequestIds.HEADER.contentEqualsIgnoreCase(name))
            .decoderEnforceMaxRstFramesPerWindow(MAX_RESETS_PER_WINDOW, RESET_WINDOW_SECONDS)
            .encoderEnforceMaxRstFramesPerWindow(MAX_RESETS_PER_WINDOW, RESET_WINDOW_SECONDS)
            // The wait for streams in flight after the last GOAWAY: usher's drain timeout bounds
            // it.
            .gracefulShutdownTimeoutMillis(-1)
            .build());
    pipeline.addAfter(
        PipelineNames.HTTP2_CODEC, PipelineNames.HTTP2_STREAMS, new Http2MultiplexHandler(streams));
    pipeline.addAfter(
        PipelineNames.HTTP2_STREAMS,
        PipelineNames.HTTP2,
        new Http2Session(
            rules.idleTimeoutNanos(),
            settings.maxConnectionAge().toNanos(),
            PING_PATIENCE_NANOS,
            observer));
  }

  /**
   * Put in each new stream's pipeline by the multiplexer (one instance for all streams), it hands
   * the stream to an exchange of its own: one pipeline operation per stream, where Netty's {@code
   * ChannelInitializer} takes two and tracks each channel in a concurrent set meanwhile.
   */
  @Sharable
  private static final class StreamStarter extends ChannelInboundHandlerAdapter {
    private final HttpConnectionRules rules;
    private final ExchangeRecorder.PerLoop recorders;
    private final Http2Observer observer;

    StreamStarter(
        HttpConnectionRules rules, ExchangeRecorder.PerLoop recorders, Http2Observer observer) {
      this.rules = rules;
      this.recorders = recorders;
      this.observer = observer;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      ctx.pipeline().replace(ctx.name(), null, new Http2StreamExchange(rules, recorders, observer));
    }
  }
}
