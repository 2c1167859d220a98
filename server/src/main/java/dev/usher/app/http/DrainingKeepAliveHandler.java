package dev.usher.app.http;

import dev.usher.app.DrainRequested;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.function.BooleanSupplier;

/**
 * Netty's keep-alive handling, which also ends the connection gracefully when the server drains: an
 * idle connection closes at once; one with requests in flight answers all of them, the last with
 * {@code Connection: close}, and then closes. A connection the drain finds with its reading paused
 * for a slow reader ends with a lingering close ({@link LingeringClose}), so that what it sent
 * unread cannot turn the close into a reset.
 */
final class DrainingKeepAliveHandler extends HttpServerKeepAliveHandler {
  private final BooleanSupplier requestArriving;
  private final LingeringClose lingering;
  private int unansweredRequests;
  private boolean draining;
  private boolean inputMayWaitUnread;
  private boolean closingResponse;
  private boolean lastAnswerWritten;

  /**
   * @param requestArriving whether the first bytes of a request have arrived that is not yet whole:
   *     such a connection is not idle, and its request is answered too
   * @param lingering how the connection ends when the drain finds it paused with input unread
   */
  DrainingKeepAliveHandler(BooleanSupplier requestArriving, LingeringClose lingering) {
    this.requestArriving = requestArriving;
    this.lingering = lingering;
  }

  /** Whether the server has asked this connection to finish. */
  boolean draining() {
    return draining;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (lastAnswerWritten) {
      // Decoded from the same read as the request that got the last answer: never answered.
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest) {
      unansweredRequests++;
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    boolean finalResponse = !isInformational(msg);
    if (msg instanceof HttpResponse response
        && finalResponse
        && draining
        && unansweredRequests <= 1) {
      HttpUtil.setKeepAlive(response, false);
      closingResponse = true;
    }
    if (msg instanceof LastHttpContent && finalResponse && unansweredRequests > 0) {
      unansweredRequests--;
    }
    if (msg instanceof LastHttpContent && closingResponse && inputMayWaitUnread) {
      // Past Netty's keep-alive handling, which would close outright once this is written.
      lastAnswerWritten = true;
      ChannelPromise written = promise.unvoid();
      ctx.write(msg, written);
      lingering.dropInputAndLingerAfter(written);
      return;
    }
    super.write(ctx, msg, promise);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event == DrainRequested.INSTANCE) {
      draining = true;
      // Reading is paused for a client slow to read its answers (SlowReaderBackpressure): requests
      // it pipelined may wait unread in the socket, and a close over them would make the kernel
      // reset the connection, throwing away the answers still queued. Such a connection ends with
      // a lingering close instead: its input dropped, its output shut after the last answer.
      inputMayWaitUnread = !ctx.channel().config().isAutoRead();
      if (unansweredRequests == 0 && !requestArriving.getAsBoolean()) {
        // Answers written in the current read batch may still await the flush at read-complete
        // (io_uring can run the drain in between): send them, then close.
        ChannelFuture flushed = ctx.writeAndFlush(Unpooled.EMPTY_BUFFER);
        if (inputMayWaitUnread) {
          lingering.dropInputAndLingerAfter(flushed);
        } else {
          flushed.addListener(ChannelFutureListener.CLOSE);
        }
      }
    } else {
      super.userEventTriggered(ctx, event);
    }
  }

  private static boolean isInformational(Object msg) {
    return msg instanceof HttpResponse response
        && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
  }
}
