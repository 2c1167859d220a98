package dev.usher.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
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
 */
final class HttpRequestReader extends HttpRequestDecoder {
  private boolean requestArriving;

  HttpRequestReader(HttpDecoderConfig config) {
    super(config);
  }

  boolean requestArriving() {
    return requestArriving;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out)
      throws Exception {
    if (!requestArriving) {
      requestArriving = startsARequest(buffer);
    }
    int before = out.size();
    super.decode(ctx, buffer, out);
    if (out.size() > before && out.getLast() instanceof LastHttpContent) {
      requestArriving = false;
    }
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
