package dev.usher.http;

import dev.usher.accesslog.AccessLog;
import dev.usher.accesslog.AnsweredRequest;
import dev.usher.overload.LoopPressure;
import dev.usher.overload.Overload;
import dev.usher.overload.Permit;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.net.SocketAddress;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One request and its answer on an HTTP connection: what a {@link HttpService} answers through.
 * {@link #respond} may be called once, from any thread, at once or later.
 *
 * <p>Inside usher, an exchange is also a place in its connection's queue of requests in flight,
 * which are answered in the order they came. Its state is the connection's event loop's alone:
 * {@link #respond} from another thread hands the answer to that loop.
 */
public final class HttpExchange {
  private static final Logger log = LoggerFactory.getLogger(HttpExchange.class);
  private final ExchangeOwner connection;
  private final EventExecutor loop;
  final HttpMethod method;
  final boolean clientKeepsAlive;
  final boolean http10;

  /** The request's id ({@link RequestIds}), or null where request ids are off. */
  final AsciiString requestId;

  /** What the access log writes of this exchange, or null where the log is off. */
  AnsweredRequest logged;

  /** The batch time of the read that brought the request, for its duration. */
  final long startNanos;

  /** The next exchange in the connection's queue, or in its chain of answers awaiting a flush. */
  HttpExchange next;

  FullHttpRequest request;
  FullHttpResponse response;

  /** usher's own answer ends the connection (a refusal): the client is not trusted further. */
  boolean refusal;

  /** The client asked for {@code 100 Continue} before it sends the body. */
  boolean continueWanted;

  /** The answer has gone to the connection. */
  boolean written;

  /** The connection ended before this exchange could be answered. */
  boolean abandoned;

  /** The request's place among those being served, until it is answered or abandoned. */
  private Permit permit;

  HttpExchange(
      ExchangeOwner connection,
      EventExecutor loop,
      HttpRequest head,
      long startNanos,
      boolean requestIds,
      AccessLog accessLog,
      boolean http2) {
    this.connection = connection;
    this.loop = loop;
    this.startNanos = startNanos;
    this.requestId = requestIds && head != null ? RequestIds.of(head.headers()) : null;
    if (accessLog != null) {
      this.logged = accessLog.received(head, http2, requestId());
    }
    if (head == null) {
      // A refusal of bytes that never became a request.
      this.method = HttpMethod.GET;
      this.clientKeepsAlive = false;
      this.http10 = false;
    } else {
      this.method = head.method();
      this.clientKeepsAlive = HttpUtil.isKeepAlive(head);
      this.http10 = head.protocolVersion().minorVersion() == 0;
    }
  }

  /**
   * An exchange for usher's refusal of bytes that did not become a request it serves: {@code
   * readable} is the head as the decoder read it, for the access log, or null.
   */
  static HttpExchange refusal(
      ExchangeOwner connection,
      EventExecutor loop,
      long startNanos,
      AccessLog accessLog,
      HttpRequest readable) {
    HttpExchange exchange =
        new HttpExchange(connection, loop, null, startNanos, false, null, false);
    if (accessLog != null) {
      exchange.logged = accessLog.received(readable, false, null);
    }
    return exchange;
  }

  /**
   * Sends the answer: at once, if every request before this one has been answered, else after them.
   * usher sets what belongs to the connection (the protocol version, {@code Connection}, {@code
   * Content-Length} when missing); a service that sets {@code Connection: close} ends the
   * connection after this answer.
   *
   * @throws IllegalStateException when this exchange was already answered, and {@link
   *     IllegalArgumentException} for an interim (1xx) answer; on the event loop only: from another
   *     thread the answer is released and the error logged by the loop
   */
  public void respond(FullHttpResponse response) {
    if (loop.inEventLoop()) {
      deliver(response);
      return;
    }
    try {
      loop.execute(() -> deliver(response));
    } catch (RejectedExecutionException loopGone) {
      ReferenceCountUtil.release(response);
    }
  }

  /**
   * Serves the request unless {@code overload} sheds it: then the answer is 503 with {@code
   * Retry-After} (the connection kept). A request let through holds its place in the overload's
   * count until it is answered or abandoned. On the connection's loop.
   */
  void admitAndServe(
      HttpService service,
      FullHttpRequest request,
      Overload overload,
      LoopPressure pressure,
      Channel socket) {
    permit = overload.admit(pressure, socket);
    if (permit == null) {
      connection.answer(this, HttpResponses.overloaded());
      return;
    }
    serveBy(service, request);
  }

  /**
   * Hands {@code request} (this exchange's) to {@code service}, with the request id in the logging
   * MDC while it runs; a service that throws is logged and, unless it answered already, answered
   * with 500. On the connection's loop, or on a blocking task's virtual thread.
   */
  void serveBy(HttpService service, FullHttpRequest request) {
    if (requestId != null) {
      MDC.put(RequestIds.MDC_KEY, requestId.toString());
    }
    try {
      service.serve(request, this);
    } catch (Exception | LinkageError | AssertionError failure) {
      log.warn(
          "{} {} from {}: the service failed",
          request.method(),
          request.uri(),
          remoteAddress(),
          failure);
      if (loop.inEventLoop()) {
        answerFailure();
      } else {
        try {
          loop.execute(this::answerFailure);
        } catch (RejectedExecutionException loopGone) {
          // The connection is gone with its loop: there is no one left to answer.
        }
      }
    } finally {
      if (requestId != null) {
        MDC.remove(RequestIds.MDC_KEY);
      }
    }
  }

  private void answerFailure() {
    if (!answered()) {
      connection.answer(this, HttpResponses.status(HttpResponseStatus.INTERNAL_SERVER_ERROR));
    }
  }

  // On the loop: the rules of an answer, whichever version carries it.
  private void deliver(FullHttpResponse response) {
    if (answered()) {
      response.release();
      throw new IllegalStateException("this exchange was already answered");
    }
    if (response.status().code() < 200) {
      response.release();
      throw new IllegalArgumentException(
          "an answer is final (200 or above), not " + response.status() + ": usher sends 100");
    }
    connection.answer(this, response);
  }

  /**
   * The client's address: the one a trusted load balancer's PROXY header named, else the peer's.
   */
  public SocketAddress remoteAddress() {
    return connection.remoteAddress();
  }

  /**
   * The request's id: the caller's {@code X-Request-Id} or {@code traceparent} trace id, or one
   * usher made; echoed in the answer's {@code X-Request-Id} and set in the logging MDC ({@value
   * RequestIds#MDC_KEY}) while the handler runs. Null where {@code http.request-id} is off.
   */
  public String requestId() {
    return requestId == null ? null : requestId.toString();
  }

  /** The connection's event loop: where {@link HttpService#serve} runs. */
  public EventExecutor eventLoop() {
    return loop;
  }

  /**
   * On the loop, as the answer is written (its final head, its body as sent): for the access log.
   */
  void sent(FullHttpResponse response) {
    if (logged != null) {
      logged.sent(response.status().code(), response.content().readableBytes());
    }
  }

  /**
   * On the loop, once the answer's last byte is flushed, {@code nanos} after the read that brought
   * the request: the exchange is complete, and its line goes to the access log.
   */
  void completed(AccessLog accessLog, long nanos) {
    if (logged != null) {
      accessLog.write(logged, remoteAddress(), nanos);
      logged = null;
    }
  }

  boolean answered() {
    return response != null || written;
  }

  /** Releases what the exchange still holds: the connection is done with it. */
  void release() {
    if (permit != null) {
      permit.release(answered());
      permit = null;
    }
    if (request != null) {
      request.release();
      request = null;
    }
  }
}
