package dev.usher.bench;

import dev.usher.http.HttpDate;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * The peer benchmark's baseline: the plainest Netty HTTP hello server (Netty's codec and one
 * handler that answers each request and flushes at the end of each read; no aggregator, no
 * keep-alive handler), sending the same headers as usher (a {@code Date} included), on the same
 * Netty, transport and thread counts as usher, with no metrics, limits or drain. It answers every
 * request with the same bytes as usher's {@code GET /}.
 *
 * <p>usage: {@code java -cp usher-benchmarks.jar dev.usher.bench.RawNettyHello PORT TRANSPORT
 * BOSS_THREADS WORKER_THREADS} (TRANSPORT: io_uring, epoll or nio). Prints "ready PORT" once bound.
 */
public final class RawNettyHello {
  private RawNettyHello() {}

  public static void main(String[] args) throws InterruptedException {
    RawNettyServer.serve(args, RawNettyHello::initConnection);
  }

  /**
   * The handlers of one connection: Netty's HTTP codec and one handler that answers each request
   * and flushes at the end of each read.
   */
  public static void initConnection(ChannelPipeline pipeline) {
    pipeline.addLast(new HttpServerCodec()).addLast(new Hello());
  }

  private static final class Hello extends ChannelInboundHandlerAdapter {
    private AsciiString date;
    private static final ByteBuf BODY =
        Unpooled.unreleasableBuffer(
            Unpooled.directBuffer()
                .writeBytes("hello from usher\n".getBytes(StandardCharsets.US_ASCII)));

    // The request's parts (a body, the end of the request) are released unread.
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest request) {
        FullHttpResponse response =
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, BODY.duplicate());
        response
            .headers()
            .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
            .setInt(HttpHeaderNames.CONTENT_LENGTH, BODY.readableBytes())
            .set(HttpHeaderNames.DATE, date());
        if (!HttpUtil.isKeepAlive(request)) {
          response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
          ctx.write(response).addListener(ChannelFutureListener.CLOSE);
        } else {
          ctx.write(response, ctx.voidPromise());
        }
      }
      ReferenceCountUtil.release(msg);
    }

    // The same Date as usher's, read as usher reads it: once per read.
    private AsciiString date() {
      if (date == null) {
        date = HttpDate.of(System.currentTimeMillis());
      }
      return date;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      date = null;
      ctx.flush();
    }
  }
}
