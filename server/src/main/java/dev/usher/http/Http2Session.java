package dev.usher.http;

import dev.usher.app.DrainRequested;
import dev.usher.connection.ClientAddress;
import dev.usher.connection.ConnectionErrorHandler;
import dev.usher.connection.ConnectionTimer;
import dev.usher.connection.OwnsErrors;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The owner of an HTTP/2 connection's life, behind Netty's frame codec and stream multiplexer: how
 * it ends. A drain, a connection past {@code http.http2.max-connection-age} and a connection with
 * no stream for the idle timeout all end the same graceful way (RFC 9113 §6.8): a GOAWAY naming the
 * highest stream id (so streams already on their way are still taken), a PING, and once its answer
 * shows the client has seen the GOAWAY, a second GOAWAY with the last stream id actually taken; the
 * streams in flight finish and the connection closes when none is left. A client that hangs up (its
 * FIN) gets the answers to the requests it completed, its other streams are cancelled, and the
 * connection closes. One timer, on the loop's ticker, serves the idle time, the age and the wait
 * for the PING's answer.
 */
final class Http2Session extends ChannelDuplexHandler implements ConnectionTimer.Check, OwnsErrors {
  private static final Logger log = LoggerFactory.getLogger(Http2Session.class);
  private static final long DRAIN_PING = 0x7573686572L; // "usher"
  private static final long NONE = Long.MIN_VALUE;

  private final long idleTimeoutNanos;
  private final long maxAgeNanos;
  private final long pingPatienceNanos;
  private final Http2Observer observer;
  private ChannelHandlerContext ctx;
  private ConnectionTimer timer;
  private Http2FrameCodec codec;
  private ChannelHandlerContext codecContext;
  private Http2Connection connection;
  private long bornNanos;
  private long idleSinceNanos;
  private long finalGoAwayDueNanos = NONE;
  private boolean ending;
  private boolean finalGoAwaySent;

  /**
   * @param maxAgeNanos zero: no age limit
   * @param pingPatienceNanos how long to wait for the PING's answer before the second GOAWAY
   */
  Http2Session(
      long idleTimeoutNanos, long maxAgeNanos, long pingPatienceNanos, Http2Observer observer) {
    this.idleTimeoutNanos = idleTimeoutNanos;
    this.maxAgeNanos = maxAgeNanos;
    this.pingPatienceNanos = pingPatienceNanos;
    this.observer = observer;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.timer = new ConnectionTimer(ctx.executor(), this);
    this.codec = ctx.pipeline().get(Http2FrameCodec.class);
    this.codecContext = ctx.pipeline().context(codec);
    this.connection = codec.connection();
    connection.addListener(
        new Http2ConnectionAdapter() {
          @Override
          public void onStreamActive(Http2Stream stream) {
            idleSinceNanos = NONE;
          }

          @Override
          public void onStreamClosed(Http2Stream stream) {
            if (connection.numActiveStreams() == 0) {
              idleSinceNanos = timer.nanoTime();
            }
          }

          @Override
          public void onGoAwaySent(int lastStreamId, long errorCode, ByteBuf debugData) {
            Http2Error error = Http2Error.valueOf(errorCode);
            observer.goAwaySent(error != null ? error : Http2Error.INTERNAL_ERROR);
          }
        });
    bornNanos = idleSinceNanos = timer.nanoTime();
    timer.checkIn(nextCheck(bornNanos));
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    timer.cancel();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    timer.cancel();
    ctx.fireChannelInactive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event == DrainRequested.INSTANCE) {
      endGracefully();
    } else if (event == ChannelInputShutdownReadComplete.INSTANCE) {
      endAfterHangUp();
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Http2PingFrame ping && ping.ack() && ping.content() == DRAIN_PING) {
      sendFinalGoAway();
      return;
    }
    ctx.fireChannelRead(msg);
  }

  // Netty's codec has already answered a protocol error (a GOAWAY or a RST_STREAM) and closes what
  // must be closed; it only tells. Closing here would send a graceful GOAWAY before its own.
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof Http2Exception || cause instanceof Http2FrameStreamException) {
      log.debug("HTTP/2 connection from {}: {}", ClientAddress.of(ctx.channel()), cause.toString());
    } else {
      ConnectionErrorHandler.closeAfter(ctx, cause);
    }
  }

  @Override
  public void check() {
    if (!ctx.channel().isActive()) {
      return;
    }
    long now = timer.nanoTime();
    if (finalGoAwayDueNanos != NONE && now >= finalGoAwayDueNanos) {
      sendFinalGoAway();
    } else if (!ending
        && ((maxAgeNanos > 0 && now - bornNanos >= maxAgeNanos)
            || (idleSinceNanos != NONE && now - idleSinceNanos >= idleTimeoutNanos))) {
      endGracefully();
    }
    if (!finalGoAwaySent) {
      timer.checkIn(nextCheck(now));
    }
  }

  private long nextCheck(long now) {
    long next = Math.max(1, idleTimeoutNanos / ConnectionTimer.CHECKS_PER_TIMEOUT);
    if (maxAgeNanos > 0) {
      next = Math.min(next, Math.max(1, bornNanos + maxAgeNanos - now));
    }
    if (finalGoAwayDueNanos != NONE) {
      next = Math.min(next, Math.max(1, finalGoAwayDueNanos - now));
    }
    return next;
  }

  // The first step: every stream the client may already have sent is still taken.
  private void endGracefully() {
    if (ending || !ctx.channel().isActive()) {
      return;
    }
    ending = true;
    ctx.write(
        new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR).setExtraStreamIds(Integer.MAX_VALUE));
    ctx.writeAndFlush(new DefaultHttp2PingFrame(DRAIN_PING));
    finalGoAwayDueNanos = timer.nanoTime() + pingPatienceNanos;
    timer.checkBy(finalGoAwayDueNanos);
  }

  // Nothing more will come from the client: a stream still waiting for its frames cannot finish.
  private void endAfterHangUp() {
    if (finalGoAwaySent || !ctx.channel().isActive()) {
      return;
    }
    try {
      connection.forEachActiveStream(this::cancelIfAwaitingClient);
    } catch (Http2Exception notFromThisVisitor) {
      throw new IllegalStateException(notFromThisVisitor);
    }
    ending = true;
    sendFinalGoAway();
  }

  private boolean cancelIfAwaitingClient(Http2Stream stream) {
    if (stream.state().remoteSideOpen()) {
      codec.resetStream(
          codecContext, stream.id(), Http2Error.CANCEL.code(), codecContext.newPromise());
    }
    return true;
  }

  // The second step, one round trip later: the last stream id taken, then close once the streams
  // in flight are done (Netty's graceful close waits for them; the drain timeout bounds it).
  private void sendFinalGoAway() {
    if (finalGoAwaySent || !ending) {
      return;
    }
    finalGoAwaySent = true;
    finalGoAwayDueNanos = NONE;
    timer.cancel();
    ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
    ctx.channel().close();
  }
}
