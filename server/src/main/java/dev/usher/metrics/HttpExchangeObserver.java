package dev.usher.metrics;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Times each HTTP exchange of one connection, from the read that brought its request to the write
 * of its last byte, and counts its status class. Pipelined requests are answered in order, so their
 * start times wait in a small ring.
 */
final class HttpExchangeObserver extends ChannelDuplexHandler {
  private static final int INITIAL_PIPELINE_DEPTH = 8;

  private final HttpMeters meters;
  private long[] startNanos = new long[INITIAL_PIPELINE_DEPTH];
  private int head;
  private int size;
  private boolean finalResponseInProgress;
  // Requests decoded from one read arrived together: one clock reading serves them all.
  private long readBatchNanos;

  HttpExchangeObserver(HttpMeters meters) {
    this.meters = meters;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest) {
      if (readBatchNanos == 0) {
        readBatchNanos = System.nanoTime();
      }
      push(readBatchNanos);
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
    if (msg instanceof HttpResponse response) {
      if (response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
        meters.answered(response.status().code());
        finalResponseInProgress = true;
      }
    }
    if (msg instanceof LastHttpContent && finalResponseInProgress) {
      finalResponseInProgress = false;
      if (size > 0) {
        meters.requestDuration.record(System.nanoTime() - pop(), TimeUnit.NANOSECONDS);
      }
    }
    ctx.write(msg, promise);
  }

  private void push(long nanos) {
    if (size == startNanos.length) {
      long[] grown = Arrays.copyOf(startNanos, size * 2);
      for (int i = 0; i < size; i++) {
        grown[i] = startNanos[(head + i) % size];
      }
      startNanos = grown;
      head = 0;
    }
    startNanos[(head + size) % startNanos.length] = nanos;
    size++;
  }

  private long pop() {
    long nanos = startNanos[head];
    head = (head + 1) % startNanos.length;
    size--;
    return nanos;
  }
}
