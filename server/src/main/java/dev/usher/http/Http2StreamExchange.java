package dev.usher.http;

import dev.usher.connection.ClientAddress;
import dev.usher.overload.LoopPressure;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/2 stream's exchange, the only handler of the stream's child channel: reads its frames (a
 * HEADERS frame, DATA up to {@code http.max-body-bytes}, perhaps trailers), hands the whole request
 * to the {@link HttpService} (the same one HTTP/1.1 uses) and writes its answer as frames, counted
 * with {@code http_version="2"}. Streams are independent: there is no order to keep and no
 * connection to close; the connection's life is {@link Http2Session}'s.
 *
 * <p>A request without the pseudo-headers RFC 9113 §8.3.1 asks for ({@code :method}, {@code
 * :scheme} and a non-empty {@code :path}, or for {@code CONNECT} only {@code :authority}) is
 * malformed: the stream is reset with {@code PROTOCOL_ERROR}.
 */
final class Http2StreamExchange extends ChannelInboundHandlerAdapter implements ExchangeOwner {
  private static final Logger log = LoggerFactory.getLogger(Http2StreamExchange.class);

  private final HttpConnectionRules rules;
  private final ExchangeRecorder.PerLoop recorders;
  private final Http2Observer observer;
  private ChannelHandlerContext ctx;
  private ExchangeRecorder recorder;
  private LoopPressure loopPressure;
  private Http2Headers head;
  private ByteBuf body;
  private HttpExchange exchange;

  /** The request is whole, or was refused: nothing more of the stream is read. */
  private boolean requestDone;

  private long startNanos;
  private boolean open;

  Http2StreamExchange(
      HttpConnectionRules rules, ExchangeRecorder.PerLoop recorders, Http2Observer observer) {
    this.rules = rules;
    this.recorders = recorders;
    this.observer = observer;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.recorder = recorders.ofThisLoop();
    this.loopPressure = rules.overload().pressureOf(ctx.executor());
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
    releaseBody();
    if (exchange != null && !exchange.answered()) {
      exchange.abandoned = true;
      exchange.release();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (requestDone) {
        return;
      }
      if (msg instanceof Http2HeadersFrame frame) {
        headers(frame);
      } else if (msg instanceof Http2DataFrame frame) {
        data(frame);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void headers(Http2HeadersFrame frame) {
    if (head == null) {
      if (!wellFormed(frame.headers())) {
        refuseMalformed();
        return;
      }
      head = frame.headers();
      if (frame.isEndStream()) {
        requestComplete(null);
      } else if (HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(
          head.get(HttpHeaderNames.EXPECT))) {
        ctx.writeAndFlush(
            new DefaultHttp2HeadersFrame(
                new DefaultHttp2Headers().status(HttpResponseStatus.CONTINUE.codeAsText())));
      }
    } else if (frame.isEndStream()) {
      requestComplete(frame.headers());
    } else {
      refuseMalformed(); // a second HEADERS frame that does not end the stream is not trailers
    }
  }

  private void data(Http2DataFrame frame) {
    if (head == null) {
      refuseMalformed();
      return;
    }
    ByteBuf chunk = frame.content();
    if (chunk.isReadable()) {
      int received = body == null ? 0 : body.readableBytes();
      if (received + chunk.readableBytes() > rules.maxBodyBytes()) {
        releaseBody();
        if (startExchange(Unpooled.EMPTY_BUFFER, null) != null) {
          answer(exchange, HttpResponses.status(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE));
        }
        return;
      }
      body = RequestBodies.append(body, chunk.retain(), ctx.alloc());
    }
    if (frame.isEndStream()) {
      requestComplete(null);
    }
  }

  private void requestComplete(Http2Headers trailers) {
    ByteBuf content = body != null ? body : Unpooled.EMPTY_BUFFER;
    body = null;
    FullHttpRequest request = startExchange(content, trailers);
    if (request != null) {
      exchange.admitAndServe(
          rules.service(), request, rules.overload(), loopPressure, ctx.channel().parent());
    }
  }

  // The exchange of this stream's request, with content as its body; null (and the stream reset)
  // when its fields do not make an HTTP request.
  private FullHttpRequest startExchange(ByteBuf content, Http2Headers trailers) {
    requestDone = true;
    FullHttpRequest request;
    try {
      request = Http2Requests.request(head, content, trailers);
    } catch (RuntimeException malformed) {
      content.release();
      log.debug("HTTP/2 stream from {} is malformed: {}", remoteAddress(), malformed.toString());
      resetStream(Http2Error.PROTOCOL_ERROR);
      return null;
    }
    exchange =
        new HttpExchange(
            this, ctx.executor(), request, startNanos, rules.requestIds(), rules.accessLog(), true);
    exchange.request = request;
    return request;
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
    int status = response.status().code();
    answered.sent(response);
    ByteBuf content = response.content();
    boolean withBody = content.isReadable() && !answered.method.equals(HttpMethod.HEAD);
    Http2Headers headers = HttpConversionUtil.toHttp2Headers(response, false);
    ChannelFuture last;
    if (withBody) {
      ctx.write(new DefaultHttp2HeadersFrame(headers, false));
      last = ctx.writeAndFlush(new DefaultHttp2DataFrame(content, true));
    } else {
      content.release();
      last = ctx.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true));
    }
    last.addListener(
        written -> {
          long took = ctx.executor().ticker().nanoTime() - startNanos;
          recorder.answered(status);
          recorder.requestTook(took);
          answered.completed(rules.accessLog(), took);
          answered.release();
        });
  }

  @Override
  public SocketAddress remoteAddress() {
    return ClientAddress.of(ctx.channel().parent());
  }

  // A stream error Netty's codec found (a length that does not add up, a window past 2^31-1) ends
  // the stream with its own code; anything else ends it with Netty's CANCEL.
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("HTTP/2 stream from {} failed: {}", remoteAddress(), cause.toString());
    Http2Exception streamError = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
    if (streamError != null && ctx.channel().isActive()) {
      resetStream(streamError.error());
    } else {
      ctx.close();
    }
  }

  private void refuseMalformed() {
    releaseBody();
    requestDone = true;
    resetStream(Http2Error.PROTOCOL_ERROR);
  }

  private void resetStream(Http2Error error) {
    ctx.writeAndFlush(new DefaultHttp2ResetFrame(error));
  }

  private void releaseBody() {
    if (body != null) {
      body.release();
      body = null;
    }
  }

  private int streamId() {
    return ((Http2StreamChannel) ctx.channel()).stream().id();
  }

  private static boolean wellFormed(Http2Headers headers) {
    CharSequence method = headers.method();
    if (method == null) {
      return false;
    }
    if (HttpMethod.CONNECT.asciiName().contentEquals(method)) {
      return headers.authority() != null
          && !headers.contains(Http2Headers.PseudoHeaderName.SCHEME.value())
          && !headers.contains(Http2Headers.PseudoHeaderName.PATH.value());
    }
    return headers.scheme() != null && headers.path() != null && headers.path().length() > 0;
  }
}
