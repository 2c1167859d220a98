package dev.usher.metrics;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Times each HTTP exchange of one connection, from the read that brought its request to the flush
 * that sent its response's last byte, and counts its status class.
 *
 * <p>Pipelined requests come many to a read and their answers many to a flush, so the clock is read
 * once per read and once per flush, not per request. Requests are answered in order, so one ring
 * holds their start times, oldest first: the first {@code answered} of them belong to answers
 * written and waiting for the flush, the rest to requests not answered yet.
 */
final class HttpExchangeObserver extends ChannelDuplexHandler {
  // Small: an idle connection holds it for life. Pipelining grows it once, to its depth.
  private static final int INITIAL_CAPACITY = 2;

  private final HttpMeters meters;
  private HttpExchangeTally tally;
  private long[] startNanos = new long[INITIAL_CAPACITY];
  private int head;
  private int size;
  private int answered;
  private boolean finalResponseInProgress;
  private long readBatchNanos;

  HttpExchangeObserver(HttpMeters meters) {
    this.meters = meters;
  }

  // Runs on the connection's event loop, which stays the same for the connection's life.
  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    tally = meters.tallyOfThisLoop();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest) {
      if (readBatchNanos == 0) {
        readBatchNanos = System.nanoTime();
      }
      pushStart(readBatchNanos);
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    readBatchNanos = 0;
    ctx.fireChannelReadComplete();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse response
        && response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
      tally.answered(response.status().code());
      finalResponseInProgress = true;
    }
    if (msg instanceof LastHttpContent && finalResponseInProgress) {
      finalResponseInProgress = false;
      if (answered < size) {
        answered++;
      }
    }
    ctx.write(msg, promise);
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    if (answered > 0) {
      long now = System.nanoTime();
      for (; answered > 0; answered--) {
        tally.requestTook(now - popStart());
      }
    }
    ctx.flush();
  }

  private void pushStart(long nanos) {
    if (size == startNanos.length) {
      long[] grown = new long[size * 2];
      for (int i = 0; i < size; i++) {
        grown[i] = startNanos[(head + i) % size];
      }
      startNanos = grown;
      head = 0;
    }
    startNanos[(head + size) % startNanos.length] = nanos;
    size++;
  }

  private long popStart() {
    long nanos = startNanos[head];
    head = (head + 1) % startNanos.length;
    size--;
    return nanos;
  }
}
