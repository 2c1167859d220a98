package dev.usher.http;

import dev.usher.accesslog.AccessLog;
import dev.usher.connection.ClientAddress;
import dev.usher.overload.LoopPressure;
import dev.usher.overload.Overload;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/2 stream's exchange, behind Netty's frame-to-HTTP codec and aggregator on the stream's
 * child channel: hands the whole request to the {@link HttpService} (the same one HTTP/1.1 uses)
 * and writes its answer, counted with {@code http_version="2"}. Streams are independent: there is
 * no order to keep and no connection to close; the connection's life is {@link Http2Session}'s.
 */
final class Http2StreamExchange extends ChannelInboundHandlerAdapter implements ExchangeOwner {
  private static final Logger log = LoggerFactory.getLogger(Http2StreamExchange.class);

  private final HttpService service;
  private final ExchangeRecorder.PerLoop recorders;
  private final Http2Observer observer;
  private final boolean requestIds;
  private final Overload overload;
  private LoopPressure loopPressure;
  private final AccessLog accessLog;
  private ChannelHandlerContext ctx;
  private ExchangeRecorder recorder;
  private HttpExchange exchange;
  private long startNanos;
  private boolean open;

  Http2StreamExchange(
      HttpService service,
      ExchangeRecorder.PerLoop recorders,
      Http2Observer observer,
      boolean requestIds,
      Overload overload,
      AccessLog accessLog) {
    this.overload = overload;
    this.service = service;
    this.requestIds = requestIds;
    this.accessLog = accessLog;
    this.recorders = recorders;
    this.observer = observer;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.recorder = recorders.ofThisLoop();
    this.loopPressure = overload.pressureOf(ctx.executor());
    this.startNanos = ctx.executor().ticker().nanoTime();
    open = true;
    observer.streamOpened();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (open) {
      open = false;
      observer.streamClosed();
    }
    if (exchange != null && !exchange.answered()) {
      exchange.abandoned = true;
      exchange.release();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request) || exchange != null) {
      ReferenceCountUtil.release(msg);
      return;
    }
    exchange =
        new HttpExchange(this, ctx.executor(), request, startNanos, requestIds, accessLog, true);
    exchange.request = request;
    exchange.admitAndServe(service, request, overload, loopPressure);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof Http2ResetFrame) {
      observer.resetReceived();
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void answer(HttpExchange answered, FullHttpResponse response) {
    if (answered.abandoned || !ctx.channel().isActive()) {
      response.release();
      answered.release();
      return;
    }
    answered.written = true;
    if (!response.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
      HttpUtil.setContentLength(response, response.content().readableBytes());
    }
    response.headers().set(HttpHeaderNames.DATE, HttpDate.of(System.currentTimeMillis()));
    if (answered.requestId != null) {
      response.headers().set(RequestIds.HEADER, answered.requestId);
    }
    if (answered.method.equals(HttpMethod.HEAD)) {
      FullHttpResponse headOnly = response.replace(Unpooled.EMPTY_BUFFER);
      response.release();
      response = headOnly;
    }
    int status = response.status().code();
    answered.sent(response);
    ctx.writeAndFlush(response)
        .addListener(
            written -> {
              long took = ctx.executor().ticker().nanoTime() - startNanos;
              recorder.answered(status);
              recorder.requestTook(took);
              answered.completed(accessLog, took);
              answered.release();
            });
  }

  @Override
  public SocketAddress remoteAddress() {
    return ClientAddress.of(ctx.channel().parent());
  }

  // A stream error Netty's codec found (a length that does not add up, a window past 2^31-1) ends
  // the stream with its own code; a request it could not turn into HTTP (a pseudo-header missing)
  // is malformed, PROTOCOL_ERROR (RFC 9113 §8.1.1). Anything else ends it with Netty's CANCEL.
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("HTTP/2 stream from {} failed: {}", remoteAddress(), cause.toString());
    Http2Exception streamError = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
    Http2Error code =
        streamError != null
            ? streamError.error()
            : cause instanceof DecoderException ? Http2Error.PROTOCOL_ERROR : null;
    if (code != null && ctx.channel().isActive()) {
      ctx.writeAndFlush(new DefaultHttp2ResetFrame(code));
    } else {
      ctx.close();
    }
  }
}
