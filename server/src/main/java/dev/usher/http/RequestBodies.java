package dev.usher.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/** A request body gathered from the chunks it arrives in, without copying them. */
final class RequestBodies {
  private static final int MAX_COMPONENTS = 1024;

  private RequestBodies() {}

  /**
   * The body so far ({@code body}, null before the first chunk) with {@code chunk} after it; both
   * are owned by the result.
   */
  static ByteBuf append(ByteBuf body, ByteBuf chunk, ByteBufAllocator alloc) {
    if (body == null) {
      return chunk;
    }
    CompositeByteBuf composite;
    if (body instanceof CompositeByteBuf already) {
      composite = already;
    } else {
      composite = alloc.compositeBuffer(MAX_COMPONENTS);
      composite.addComponent(true, body);
    }
    return composite.addComponent(true, chunk);
  }
}
