package dev.usher.app.http;

import dev.usher.app.DrainRequested;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.function.BooleanSupplier;

/**
 * Ends a connection gracefully when the server drains: an idle connection closes at once; one with
 * requests in flight answers all of them, the last with {@code Connection: close}, and then closes
 * (Netty's keep-alive handler, just before this one, does the closing).
 */
final class HttpDrainHandler extends ChannelDuplexHandler {
  private final BooleanSupplier requestArriving;
  private int unansweredRequests;
  private boolean draining;

  /**
   * @param requestArriving whether the first bytes of a request have arrived that the codec has not
   *     yet made into one: such a connection is not idle, and its request is answered too
   */
  HttpDrainHandler(BooleanSupplier requestArriving) {
    this.requestArriving = requestArriving;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest) {
      unansweredRequests++;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse response
        && response.status().codeClass() != HttpStatusClass.INFORMATIONAL
        && draining
        && unansweredRequests <= 1) {
      HttpUtil.setKeepAlive(response, false);
    }
    if (msg instanceof LastHttpContent && !isInformational(msg) && unansweredRequests > 0) {
      unansweredRequests--;
    }
    ctx.write(msg, promise);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event == DrainRequested.INSTANCE) {
      draining = true;
      if (unansweredRequests == 0 && !requestArriving.getAsBoolean()) {
        // Answers written in the current read batch may still await the flush at read-complete
        // (io_uring can run the drain in between): send them, then close.
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      }
    } else {
      ctx.fireUserEventTriggered(event);
    }
  }

  private static boolean isInformational(Object msg) {
    return msg instanceof HttpResponse response
        && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
  }
}
