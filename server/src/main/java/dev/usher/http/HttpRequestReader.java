package dev.usher.http;

import dev.usher.connection.ReadTurns;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * Netty's request decoder, which also tells whether a request has begun to arrive and not arrived
 * whole: the request deadline starts at a request's first byte, long before the decoder emits
 * anything (the decoder consumes a request line as soon as it is whole, and emits nothing until the
 * header block is). The empty lines and control bytes the decoder skips between requests start
 * none.
 *
 * <p>While the connection's reading is stopped ({@link ReadTurns}), the reader stops too at the
 * next request's start: the rest of what it has read waits here until reading resumes ({@link
 * #readHeldRequests}), or until the client's input ends, when it is all read.
 */
final class HttpRequestReader extends HttpRequestDecoder {
  private final ReadTurns reads;
  private boolean requestArriving;
  private boolean inputEnded;

  HttpRequestReader(HttpDecoderConfig config, ReadTurns reads) {
    super(config);
    this.reads = reads;
  }

  boolean requestArriving() {
    return requestArriving;
  }

  /**
   * Reads what was held back while reading was stopped, as one read batch; {@code ctx} is this
   * reader's.
   */
  void readHeldRequests(ChannelHandlerContext ctx) throws Exception {
    if (actualReadableBytes() > 0) {
      channelRead(ctx, Unpooled.EMPTY_BUFFER);
      channelReadComplete(ctx);
    }
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out)
      throws Exception {
    if (!requestArriving && reads.stopped() && !inputEnded) {
      return;
    }
    if (!requestArriving) {
      requestArriving = startsARequest(buffer);
    }
    int before = out.size();
    super.decode(ctx, buffer, out);
    if (out.size() > before && out.getLast() instanceof LastHttpContent) {
      requestArriving = false;
    }
  }

  // The client has sent all it will: every request it sent is read, and answered before the close.
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof ChannelInputShutdownEvent) {
      inputEnded = true;
    }
    super.userEventTriggered(ctx, event);
  }

  // The decoder skips bytes up to 0x20 (control characters and the space) before a request line;
  // any other byte, DEL and bytes above 0x7f included, is the start of one.
  private static boolean startsARequest(ByteBuf buffer) {
    for (int i = buffer.readerIndex(); i < buffer.writerIndex(); i++) {
      if (buffer.getUnsignedByte(i) > ' ') {
        return true;
      }
    }
    return false;
  }
}
