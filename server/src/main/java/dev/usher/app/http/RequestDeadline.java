package dev.usher.app.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Gives each request {@code http.request-timeout} from its first byte to its last: a client that
 * trickles a request (slowloris) gets 408 and a closed connection, where the idle timeout alone,
 * restarted by every byte, would let it hold the connection forever.
 *
 * <p>Two handlers share the deadline: {@link #firstByteWatcher()} sits before the codec and starts
 * it on the first byte of a request; this one, after the codec, ends it when the request is
 * complete and, should it expire first, answers 408 through the codec.
 *
 * <p>Keep-alive and pipelined traffic start and end requests by the thousand: they only stamp the
 * start. One timer per connection checks the stamp when it fires and reschedules itself for the
 * time left, so the event loop's timer queue is not churned once per request.
 */
final class RequestDeadline extends ChannelInboundHandlerAdapter {
  private final long timeoutNanos;
  private final LingeringClose lingering;
  private ChannelHandlerContext context;
  private ScheduledFuture<?> expiry;
  private boolean requestInProgress;
  private long requestStartNanos;

  RequestDeadline(long timeoutNanos, LingeringClose lingering) {
    this.timeoutNanos = timeoutNanos;
    this.lingering = lingering;
  }

  /** Whether a request has begun to arrive and has not arrived whole. */
  boolean requestInProgress() {
    return requestInProgress;
  }

  /** The handler to put before the codec, where the raw bytes pass. */
  ChannelInboundHandlerAdapter firstByteWatcher() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes && bytes.isReadable() && !requestInProgress) {
          start(ctx);
        }
        ctx.fireChannelRead(msg);
      }
    };
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    context = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof LastHttpContent) {
      requestComplete();
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (requestInProgress && ctx.channel().isWritable()) {
      // Reading resumes after a pause for a slow reader (SlowReaderBackpressure), during which
      // the rest of the request waited unread: its time starts again.
      requestStartNanos = System.nanoTime();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    ctx.fireChannelInactive();
  }

  private void start(ChannelHandlerContext ctx) {
    requestInProgress = true;
    requestStartNanos = System.nanoTime();
    if (expiry == null) {
      expiry = ctx.executor().schedule(this::check, timeoutNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void requestComplete() {
    requestInProgress = false;
  }

  private void cancel() {
    requestInProgress = false;
    if (expiry != null) {
      expiry.cancel(false);
      expiry = null;
    }
  }

  private void check() {
    expiry = null;
    if (!requestInProgress || !context.channel().isActive()) {
      return;
    }
    if (!context.channel().config().isAutoRead()) {
      // Reading is paused for a client slow to read its answers (SlowReaderBackpressure): the rest
      // of the request may wait in the socket through no slowness of its sender. Its time starts
      // again.
      requestStartNanos = System.nanoTime();
    }
    long left = timeoutNanos - (System.nanoTime() - requestStartNanos);
    if (left <= 0) {
      HttpErrorResponses.sendAndClose(context, HttpResponseStatus.REQUEST_TIMEOUT, lingering);
    } else {
      expiry = context.executor().schedule(this::check, left, TimeUnit.NANOSECONDS);
    }
  }
}
