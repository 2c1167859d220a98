package dev.usher.http;

import dev.usher.accept.QueueTimeout;
import dev.usher.app.DrainRequested;
import dev.usher.connection.ClientAddress;
import dev.usher.connection.ConnectionErrorHandler;
import dev.usher.connection.ConnectionTimer;
import dev.usher.connection.Lingering;
import dev.usher.connection.OwnsErrors;
import dev.usher.connection.PipelineNames;
import dev.usher.connection.ReadTurns;
import dev.usher.connection.Silence;
import dev.usher.overload.LoopPressure;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of an HTTP/1.1 connection's life, behind Netty's codec: the requests in flight and
 * the order of their answers (pipelining), the request deadline, the idle timeout, backpressure on
 * a client that does not read, whether the connection stays open (the one place that decides {@code
 * Connection: close}), usher's error answers, the drain and the lingering close, and the exchange
 * meters. Requests are handed whole to the {@link HttpService}.
 *
 * <p>Rules, each decided here alone:
 *
 * <ul>
 *   <li>A connection holds no HTTP state until its first byte: the codec is added then.
 *   <li>A request that cannot be parsed gets 400 (414 for a request line, 431 for a header block
 *       over the limit), a body over the limit 413, an expectation other than {@code 100-continue}
 *       417, a request that does not arrive whole within the request timeout (from its first byte)
 *       408. Each such refusal is answered in its turn, with {@code Connection: close}, and nothing
 *       after it is read; the connection then lingers (see below).
 *   <li>A connection ends after an answer when the client asked for it (HTTP/1.0 without
 *       keep-alive, {@code Connection: close}), when the service's answer says so, when the client
 *       has finished sending, or when the server drains and this is the last request in flight.
 *   <li>Lingering close, as nginx's {@code lingering_close}: after a refusal the output is shut and
 *       what the client still sends is read and dropped, until it closes, is silent for the
 *       lingering timeout or the lingering time has passed, so that a client still sending reads
 *       the answer rather than a reset.
 *   <li>Reading pauses while more than the write buffer's high-water mark of answers waits for a
 *       slow client, and resumes when it catches up; the request deadline does not count the pause.
 *       A drain that finds reading paused lingers after the last answer, since requests may wait
 *       unread and a close over them would make the kernel reset the connection.
 *   <li>A read batch that brings {@value #REQUESTS_PER_TURN} requests or more ends the connection's
 *       turn: it reads again once the loop has served its other connections and tasks.
 * </ul>
 *
 * <p>Time comes from the event loop's ticker: once per read batch that brings a request, once per
 * flush of answers, and at the one timer per connection that serves the idle timeout, the request
 * deadline and the linger.
 */
final class HttpConnection extends ChannelDuplexHandler
    implements ConnectionTimer.Check, ReadTurns.Resumed, ExchangeOwner, OwnsErrors {
  private static final Logger log = LoggerFactory.getLogger(HttpConnection.class);
  private static final long NONE = Long.MIN_VALUE;

  /**
   * How long a connection that has sent nothing yet when the drain begins is given for its first
   * request. It was accepted, and its client, who connected a moment ago, has its request on the
   * way: closed, that request would be lost, and a client retries only on a connection it had
   * already used.
   */
  static final long FIRST_REQUEST_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

  /**
   * How many requests one read batch may bring before the connection lets the loop's other
   * connections and tasks go first ({@link ReadTurns}). Above a pipelining client's usual depth
   * (browsers and load generators send up to 16 at once), so that only a client that floods the
   * connection gives turns.
   */
  static final int REQUESTS_PER_TURN = 64;

  private enum Phase {
    /** Reading and answering requests. */
    OPEN,
    /** The last answer is decided: nothing more is read; the connection ends after it. */
    ENDING,
    /** The output is shut; what the client still sends is dropped. */
    LINGERING,
    /** The channel is closed. */
    CLOSED
  }

  /** How the connection ends once its last answer is written. */
  private enum Ending {
    CLOSE,
    LINGER,
    /** A refusal lingers, unless a drain has begun: then lingering would hold the drain up. */
    LINGER_UNLESS_DRAINING
  }

  private final HttpConnectionRules rules;
  private Lingering lingering;

  private ChannelHandlerContext ctx;
  private ConnectionTimer timer;
  private ExchangeRecorder recorder;
  private LoopPressure loopPressure;

  /** The connection waited too long in the accept queue: its request gets 503 and it closes. */
  private boolean waitedTooLong;

  private HttpRequestReader decoder;
  private Phase phase = Phase.OPEN;

  // The requests in flight, oldest first. The newest is 'receiving' while its body arrives.
  private HttpExchange head;
  private HttpExchange tail;
  private HttpExchange receiving;
  private HttpRequest receivingHead;
  private ByteBuf body;
  // Answers written and not yet flushed, whose durations end at the flush.
  private HttpExchange unflushedHead;
  private HttpExchange unflushedTail;

  private boolean inReadBatch;
  private long batchNanos = NONE;
  private AsciiString batchDate;
  private ReadTurns reads;
  private boolean draining;

  /** In a drain, when a connection that has sent nothing yet is closed. */
  private long firstRequestDueNanos = NONE;

  // Reading was paused during the drain: requests may wait unread, so the end lingers.
  private boolean inputMayWaitUnread;
  private boolean inputClosed;

  private Silence silence;
  private long requestStartNanos = NONE;

  HttpConnection(HttpConnectionRules rules) {
    this.rules = rules;
  }

  // ---- lifecycle

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.timer = new ConnectionTimer(ctx.executor(), this);
    this.reads = new ReadTurns(ctx, REQUESTS_PER_TURN, this);
    this.recorder = rules.recorders().ofThisLoop();
    this.loopPressure = rules.overload().pressureOf(ctx.executor());
    this.waitedTooLong = QueueTimeout.waitedTooLong(ctx.channel());
    if (ctx.channel().isActive()) {
      startTimer();
    }
  }

  // Removed before any request: the connection turned out to speak HTTP/2.
  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    timer.cancel();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    startTimer();
    ctx.fireChannelActive();
  }

  private void startTimer() {
    if (silence == null) {
      silence = new Silence(timer.nanoTime());
      timer.checkIn(Silence.checkInterval(rules.idleTimeoutNanos()));
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    phase = Phase.CLOSED;
    timer.cancel();
    releaseReceiving();
    abandonQueue();
    unflushedHead = unflushedTail = null;
    ctx.fireChannelInactive();
  }

  // ---- reading requests

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    inReadBatch = true;
    if (phase != Phase.OPEN) {
      ReferenceCountUtil.release(msg);
    } else if (decoder == null && msg instanceof ByteBuf) {
      addCodec().channelRead(ctx.pipeline().context(decoder), msg);
    } else if (msg instanceof HttpRequest request) {
      reads.spend(1);
      requestHead(request);
    } else if (msg instanceof HttpContent content) {
      requestContent(content);
      // Within the read batch too: a batch of pipelined requests (up to 16 reads) would otherwise
      // queue tens of thousands of answers for a client that does not read before the batch's end.
      if (phase != Phase.LINGERING) {
        pauseReadingIfTheClientIsSlow();
      }
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  // A connection that has sent nothing holds no codec: load balancers and pooling clients open
  // connections ahead of need, and a server may hold tens of thousands of them.
  private HttpRequestReader addCodec() {
    decoder = new HttpRequestReader(rules.decoderConfig(), reads);
    ChannelPipeline pipeline = ctx.pipeline();
    pipeline.addBefore(ctx.name(), PipelineNames.HTTP_DECODER, decoder);
    pipeline.addBefore(ctx.name(), PipelineNames.HTTP_ENCODER, new HttpResponseEncoder());
    return decoder;
  }

  private void requestHead(HttpRequest request) {
    long start = batchNanos();
    HttpResponseStatus refused =
        request.decoderResult().isFailure()
            ? statusFor(request.decoderResult().cause())
            : RequestHeadRules.refusal(request);
    if (refused != null) {
      // A request the rules refuse is logged as it came; one the decoder could not read, without.
      HttpExchange refusal =
          HttpExchange.refusal(
              this,
              ctx.executor(),
              start,
              rules.accessLog(),
              request.decoderResult().isFailure() ? null : request);
      ReferenceCountUtil.release(request);
      enqueue(refusal);
      refuse(refusal, start, refused);
      return;
    }
    HttpExchange exchange =
        new HttpExchange(
            this, ctx.executor(), request, start, rules.requestIds(), rules.accessLog(), false);
    enqueue(exchange);
    receiving = exchange;
    receivingHead = request;
    if (waitedTooLong) {
      refuse(exchange, start, HttpResponses.overloaded());
      return;
    }
    HttpHeaders headers = request.headers();
    String expect = headers.get(HttpHeaderNames.EXPECT);
    if (expect != null && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect)) {
      refuse(exchange, start, HttpResponseStatus.EXPECTATION_FAILED);
    } else if (declaredBodyBytes(headers) > rules.maxBodyBytes()) {
      refuse(exchange, start, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
    } else if (expect != null) {
      headers.remove(HttpHeaderNames.EXPECT);
      // RFC 9110 10.1.1: an HTTP/1.0 client is never sent a 1xx answer.
      exchange.continueWanted = !exchange.http10;
      if (exchange.continueWanted && exchange == head) {
        sendContinue(exchange);
      }
    }
  }

  private void requestContent(HttpContent content) {
    if (receiving == null) {
      content.release();
      return;
    }
    if (content.decoderResult().isFailure()) {
      content.release();
      refuse(receiving, receiving.startNanos, HttpResponseStatus.BAD_REQUEST);
      return;
    }
    ByteBuf chunk = content.content();
    if (chunk.isReadable()) {
      int received = body == null ? 0 : body.readableBytes();
      if (received + chunk.readableBytes() > rules.maxBodyBytes()) {
        content.release();
        refuse(receiving, receiving.startNanos, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
        return;
      }
      body = RequestBodies.append(body, chunk.retain(), ctx.alloc());
    }
    if (content instanceof LastHttpContent last) {
      requestComplete(last.trailingHeaders());
    }
    content.release();
  }

  private void requestComplete(HttpHeaders trailers) {
    HttpExchange exchange = receiving;
    HttpRequest head = receivingHead;
    ByteBuf content = body != null ? body : Unpooled.EMPTY_BUFFER;
    receiving = null;
    receivingHead = null;
    body = null;
    requestStartNanos = NONE;
    if (!exchange.clientKeepsAlive) {
      // The client's last request (RFC 9112 9.6): nothing it sends after it is read or served.
      phase = Phase.ENDING;
    }
    exchange.request =
        new DefaultFullHttpRequest(
            head.protocolVersion(), head.method(), head.uri(), content, head.headers(), trailers);
    exchange.admitAndServe(
        rules.service(), exchange.request, rules.overload(), loopPressure, ctx.channel());
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    inReadBatch = false;
    reads.batchEnded();
    long batch = batchNanos;
    batchNanos = NONE;
    batchDate = null;
    if (phase == Phase.LINGERING) {
      lingering.heard();
    } else {
      flushAnswers();
      if (phase == Phase.OPEN) {
        watchRequestDeadline(batch);
      }
      pauseReadingIfTheClientIsSlow();
      if (loopPressure.behind()) {
        reads.endTurn();
      }
    }
    ctx.fireChannelReadComplete();
  }

  // A request's time runs from its first byte: the batch that brought it, which may have brought
  // no more than part of its request line.
  private void watchRequestDeadline(long batch) {
    if (!requestArriving()) {
      requestStartNanos = NONE;
    } else if (requestStartNanos == NONE) {
      requestStartNanos = batch != NONE ? batch : timer.nanoTime();
      timer.checkBy(requestStartNanos + rules.requestTimeoutNanos());
    }
  }

  private boolean requestArriving() {
    return receiving != null || (decoder != null && decoder.requestArriving());
  }

  private long batchNanos() {
    if (batchNanos == NONE) {
      batchNanos = timer.nanoTime();
    }
    return batchNanos;
  }

  // ---- backpressure

  private void pauseReadingIfTheClientIsSlow() {
    if (!ctx.channel().isWritable() && reads.clientSlow()) {
      inputMayWaitUnread |= draining;
    }
  }

  /** Reading resumes after a turn or a pause: the requests the decoder held are parsed first. */
  @Override
  public void readingResumed() {
    if (phase != Phase.OPEN || decoder == null) {
      return;
    }
    try {
      decoder.readHeldRequests(ctx.pipeline().context(decoder));
    } catch (Exception e) {
      ctx.fireExceptionCaught(e);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && reads.clientCaughtUp()) {
      if (requestStartNanos != NONE) {
        // The rest of the request waited unread through usher's pause, not the client's slowness.
        requestStartNanos = timer.nanoTime();
      }
    }
    ctx.fireChannelWritabilityChanged();
  }

  // ---- answering

  /** From an exchange, on the event loop: the service's answer. */
  @Override
  public void answer(HttpExchange exchange, FullHttpResponse response) {
    if (phase == Phase.CLOSED || exchange.abandoned) {
      response.release();
      exchange.release();
      return;
    }
    exchange.response = response;
    writeAnswersInOrder();
  }

  /** Refuses {@code exchange}, or (null) bytes that have not become a request. */
  private void refuse(HttpExchange exchange, long startNanos, HttpResponseStatus status) {
    refuse(exchange, startNanos, HttpResponses.status(status));
  }

  private void refuse(HttpExchange exchange, long startNanos, FullHttpResponse answer) {
    if (exchange == null) {
      exchange = HttpExchange.refusal(this, ctx.executor(), startNanos, rules.accessLog(), null);
      enqueue(exchange);
    }
    if (exchange == receiving) {
      releaseReceiving();
    }
    phase = Phase.ENDING;
    requestStartNanos = NONE;
    exchange.refusal = true;
    exchange.continueWanted = false;
    exchange.response = answer;
    writeAnswersInOrder();
  }

  private void writeAnswersInOrder() {
    boolean wrote = false;
    while (head != null && head.response != null && phase != Phase.CLOSED) {
      HttpExchange exchange = dequeue();
      wrote = true;
      if (write(exchange)) {
        abandonQueue();
        break;
      }
      if (head != null && head.continueWanted) {
        sendContinue(head);
      }
    }
    if (wrote && !inReadBatch) {
      flushAnswers();
    }
  }

  /** Writes one answer; true when the connection ends after it. */
  private boolean write(HttpExchange exchange) {
    FullHttpResponse response = exchange.response;
    exchange.response = null;
    exchange.written = true;
    boolean ends =
        exchange.refusal
            || !exchange.clientKeepsAlive
            || response.headers().containsValue(HttpHeaderNames.CONNECTION, "close", true)
            || (draining && head == null && !requestArriving())
            || (inputClosed && head == null);
    response = withConnectionHeaders(response, exchange, ends);
    recorder.answered(response.status().code());
    exchange.sent(response);
    exchange.release();
    appendUnflushed(exchange);
    if (!ends) {
      ctx.write(response, ctx.voidPromise());
      return false;
    }
    phase = Phase.ENDING;
    Ending ending;
    if (exchange.refusal) {
      ending = Ending.LINGER_UNLESS_DRAINING;
    } else {
      ending = draining && inputMayWaitUnread ? Ending.LINGER : Ending.CLOSE;
    }
    endAfter(ctx.write(response), ending);
    return true;
  }

  private FullHttpResponse withConnectionHeaders(
      FullHttpResponse response, HttpExchange exchange, boolean ends) {
    response.setProtocolVersion(HttpVersion.HTTP_1_1);
    HttpHeaders headers = response.headers();
    int status = response.status().code();
    boolean mayHaveBody = status >= 200 && status != 204 && status != 304;
    if (mayHaveBody
        && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)
        && !HttpUtil.isTransferEncodingChunked(response)) {
      headers.setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
    }
    headers.set(HttpHeaderNames.DATE, date());
    if (exchange.requestId != null) {
      headers.set(RequestIds.HEADER, exchange.requestId);
    }
    if (ends) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (exchange.http10) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    if (HttpMethod.HEAD.equals(exchange.method)) {
      // The headers of the answer to GET, without its body.
      headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
      FullHttpResponse headOnly = response.replace(Unpooled.EMPTY_BUFFER);
      response.release();
      return headOnly;
    }
    return response;
  }

  // The wall clock, read once per read batch (answers given later read it each).
  private AsciiString date() {
    if (!inReadBatch) {
      return HttpDate.of(System.currentTimeMillis());
    }
    if (batchDate == null) {
      batchDate = HttpDate.of(System.currentTimeMillis());
    }
    return batchDate;
  }

  private void sendContinue(HttpExchange exchange) {
    exchange.continueWanted = false;
    ctx.write(
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER),
        ctx.voidPromise());
    if (!inReadBatch) {
      ctx.flush();
    }
  }

  private void flushAnswers() {
    if (unflushedHead != null) {
      long now = timer.nanoTime();
      for (HttpExchange exchange = unflushedHead; exchange != null; exchange = exchange.next) {
        recorder.requestTook(now - exchange.startNanos);
        exchange.completed(rules.accessLog(), now - exchange.startNanos);
      }
      unflushedHead = unflushedTail = null;
    }
    silence.activity();
    ctx.flush();
  }

  // ---- ending

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event == DrainRequested.INSTANCE) {
      drain();
      return;
    }
    if (event instanceof ChannelInputShutdownEvent) {
      inputShutdown();
    }
    ctx.fireUserEventTriggered(event);
  }

  private void drain() {
    if (draining) {
      return;
    }
    draining = true;
    switch (phase) {
      case LINGERING -> ctx.close();
      case OPEN -> {
        inputMayWaitUnread = reads.stopped();
        if (decoder == null) {
          firstRequestDueNanos = timer.nanoTime() + FIRST_REQUEST_GRACE_NANOS;
          timer.checkBy(firstRequestDueNanos);
        } else if (head == null && !requestArriving()) {
          // Answers written in this read batch may still await its flush (io_uring can run the
          // drain in between): they go out first.
          endNow(inputMayWaitUnread ? Ending.LINGER : Ending.CLOSE);
        }
        // Otherwise the last request in flight is answered with Connection: close.
      }
      case ENDING, CLOSED -> {}
    }
  }

  // The client has finished sending (a half-close): what it sent is answered, then the
  // connection closes.
  private void inputShutdown() {
    inputClosed = true;
    switch (phase) {
      case LINGERING -> ctx.close();
      case OPEN -> {
        if (receiving != null) {
          refuse(receiving, receiving.startNanos, HttpResponseStatus.BAD_REQUEST);
        } else if (head == null) {
          endNow(Ending.CLOSE);
        }
      }
      case ENDING, CLOSED -> {}
    }
  }

  private void endNow(Ending ending) {
    phase = Phase.ENDING;
    flushAnswers();
    // An empty buffer passes Netty's HTTP encoder and completes after every answer before it.
    endAfter(ctx.writeAndFlush(Unpooled.EMPTY_BUFFER), ending);
  }

  private void endAfter(ChannelFuture lastWrite, Ending ending) {
    lastWrite.addListener(
        written -> {
          boolean linger =
              ending == Ending.LINGER || (ending == Ending.LINGER_UNLESS_DRAINING && !draining);
          if (written.isSuccess() && linger && !inputClosed) {
            lingering =
                Lingering.start(
                    ctx.channel(),
                    rules.lingeringTimeoutNanos(),
                    rules.lingeringTimeNanos(),
                    timer);
          }
          if (lingering != null) {
            phase = Phase.LINGERING;
          } else {
            ctx.close();
          }
        });
  }

  // Nothing on the connection deals with an error that reaches its last handler.
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ConnectionErrorHandler.closeAfter(ctx, cause);
  }

  // ---- the one timer: idle timeout, request deadline, linger

  /** The connection's timer is due. */
  @Override
  public void check() {
    if (phase == Phase.CLOSED || !ctx.channel().isOpen()) {
      return;
    }
    long now = timer.nanoTime();
    if (phase == Phase.LINGERING) {
      checkLinger(now);
      return;
    }
    if (decoder == null && firstRequestDueNanos != NONE && now >= firstRequestDueNanos) {
      endNow(Ending.CLOSE);
      return;
    }
    long idle = silence.nextCheck(ctx.channel(), now, rules.idleTimeoutNanos());
    // A connection that awaits the service's answer to a whole request is not idle: the service is.
    boolean awaitingService = head != null && head != receiving;
    if (idle == ConnectionTimer.OVER && !awaitingService) {
      ctx.close();
      return;
    }
    if (phase == Phase.OPEN && requestStartNanos != NONE) {
      if (reads.stopped() || (receiving != null && receiving.continueWanted)) {
        // The rest of the request may wait in the socket through no slowness of its sender, or
        // its sender waits for the 100 Continue that the answers before it hold back.
        requestStartNanos = now;
      } else if (now - requestStartNanos >= rules.requestTimeoutNanos()) {
        // Its duration, in the meters and the access log, runs from the request's first byte.
        refuse(receiving, requestStartNanos, HttpResponseStatus.REQUEST_TIMEOUT);
      }
    }
    long next =
        awaitingService || idle == ConnectionTimer.OVER
            ? Silence.checkInterval(rules.idleTimeoutNanos())
            : idle;
    if (phase == Phase.OPEN && requestStartNanos != NONE) {
      next = Math.min(next, requestStartNanos + rules.requestTimeoutNanos() - now);
    }
    if (decoder == null && firstRequestDueNanos != NONE) {
      next = Math.min(next, firstRequestDueNanos - now);
    }
    timer.checkIn(next);
  }

  private void checkLinger(long now) {
    long next = lingering.nextCheck(now);
    if (next == ConnectionTimer.OVER) {
      ctx.close();
    } else {
      timer.checkIn(next);
    }
  }

  // ---- the queue of requests in flight

  private void enqueue(HttpExchange exchange) {
    if (tail == null) {
      head = exchange;
    } else {
      tail.next = exchange;
    }
    tail = exchange;
  }

  private HttpExchange dequeue() {
    HttpExchange exchange = head;
    head = exchange.next;
    if (head == null) {
      tail = null;
    }
    exchange.next = null;
    return exchange;
  }

  private void appendUnflushed(HttpExchange exchange) {
    if (unflushedTail == null) {
      unflushedHead = exchange;
    } else {
      unflushedTail.next = exchange;
    }
    unflushedTail = exchange;
  }

  /** The connection ends: requests still in flight are never answered. */
  private void abandonQueue() {
    while (head != null) {
      HttpExchange exchange = dequeue();
      exchange.abandoned = true;
      if (exchange.response != null) {
        exchange.response.release();
        exchange.response = null;
      }
      exchange.release();
    }
  }

  private void releaseReceiving() {
    receiving = null;
    if (receivingHead != null) {
      ReferenceCountUtil.release(receivingHead);
      receivingHead = null;
    }
    if (body != null) {
      body.release();
      body = null;
    }
  }

  @Override
  public SocketAddress remoteAddress() {
    return ClientAddress.of(ctx.channel());
  }

  // The decoder has checked the value (a number, one only); what it let through unreadable could
  // not be honoured.
  private static long declaredBodyBytes(HttpHeaders headers) {
    String length = headers.get(HttpHeaderNames.CONTENT_LENGTH);
    if (length == null) {
      return -1;
    }
    try {
      return Long.parseLong(length.strip());
    } catch (NumberFormatException unreadable) {
      return Long.MAX_VALUE;
    }
  }

  private static HttpResponseStatus statusFor(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return HttpResponseStatus.REQUEST_URI_TOO_LONG;
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
    }
    return HttpResponseStatus.BAD_REQUEST;
  }
}
