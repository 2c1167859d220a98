package dev.usher.bench;

import dev.usher.http.HttpDate;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * The HTTP/2 load scenario's baseline ({@code deploy/loadtest/h2.sh}): the plainest Netty HTTP/2
 * server, h2c with prior knowledge. Netty's frame codec and stream multiplexer, and on each stream
 * one handler that answers once the request has ended and flushes at the end of each read (no
 * frame-to-HTTP codec, no aggregator, no limits but the concurrent streams usher also announces, no
 * metrics, no drain). Every request gets the same status, headers (a {@code Date} included) and
 * body as usher's {@code GET /}, on the same Netty, transport and thread counts as usher.
 *
 * <p>usage: {@code java -cp usher-benchmarks.jar dev.usher.bench.RawNettyHttp2Hello PORT TRANSPORT
 * BOSS_THREADS WORKER_THREADS} (TRANSPORT: io_uring, epoll or nio). Prints "ready PORT" once bound.
 */
public final class RawNettyHttp2Hello {
  /** usher's default {@code http.http2.max-concurrent-streams}, announced the same way. */
  private static final int MAX_CONCURRENT_STREAMS = 100;

  private RawNettyHttp2Hello() {}

  public static void main(String[] args) throws InterruptedException {
    RawNettyServer.serve(args, RawNettyHttp2Hello::initConnection);
  }

  /**
   * The handlers of one connection: Netty's HTTP/2 frame codec and its stream multiplexer, which
   * gives each stream a child channel holding one {@link Hello}.
   */
  public static void initConnection(ChannelPipeline pipeline) {
    pipeline
        .addLast(
            Http2FrameCodecBuilder.forServer()
                .initialSettings(
                    Http2Settings.defaultSettings().maxConcurrentStreams(MAX_CONCURRENT_STREAMS))
                .build())
        .addLast(new Http2MultiplexHandler(Hello.INSTANCE));
  }

  @Sharable
  private static final class Hello extends ChannelInboundHandlerAdapter {
    static final Hello INSTANCE = new Hello();
    private static final ByteBuf BODY =
        Unpooled.unreleasableBuffer(
            Unpooled.directBuffer()
                .writeBytes("hello from usher\n".getBytes(StandardCharsets.US_ASCII)));

    // The request's frames are released unread; the answer goes once the request has ended.
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      boolean ended =
          msg instanceof Http2HeadersFrame headers && headers.isEndStream()
              || msg instanceof Http2DataFrame data && data.isEndStream();
      ReferenceCountUtil.release(msg);
      if (ended) {
        Http2Headers headers =
            new DefaultHttp2Headers()
                .status(HttpResponseStatus.OK.codeAsText())
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, BODY.readableBytes())
                .set(HttpHeaderNames.DATE, HttpDate.of(System.currentTimeMillis()));
        ctx.write(new DefaultHttp2HeadersFrame(headers), ctx.voidPromise());
        ctx.write(new DefaultHttp2DataFrame(BODY.duplicate(), true), ctx.voidPromise());
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }
  }
}
