package dev.usher.fuzz;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A connection's allocator that keeps every buffer it hands out, so that once the connection is
 * closed a test can tell at once which of them are still referenced: a leak found with the input
 * that caused it, not when the collector gets round to it. Unpooled, so that a released buffer is
 * never handed out again under another owner. Buffers made outside the connection's allocator
 * ({@code Unpooled}) are left to the leak detector ({@code dev.usher.testing.NoLeakedBuffers}).
 */
final class AuditedAllocator extends AbstractByteBufAllocator {
  private final List<ByteBuf> handedOut = new ArrayList<>();

  AuditedAllocator() {
    super(true);
  }

  @Override
  protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
    return kept(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity));
  }

  @Override
  protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
    return kept(new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity));
  }

  @Override
  public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
    return toLeakAwareBuffer(kept(new CompositeByteBuf(this, false, maxNumComponents)));
  }

  @Override
  public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
    return toLeakAwareBuffer(kept(new CompositeByteBuf(this, true, maxNumComponents)));
  }

  @Override
  public boolean isDirectBufferPooled() {
    return false;
  }

  private <B extends ByteBuf> B kept(B buffer) {
    handedOut.add(buffer);
    return buffer;
  }

  /**
   * The buffers handed out since the last call that are still referenced, described; forgets all.
   */
  List<String> stillReferenced() {
    List<String> referenced = new ArrayList<>();
    for (ByteBuf buffer : handedOut) {
      if (buffer.refCnt() != 0) {
        referenced.add(describe(buffer));
      }
    }
    handedOut.clear();
    return referenced;
  }

  private static String describe(ByteBuf buffer) {
    String head =
        buffer.toString(
            buffer.readerIndex(),
            Math.min(buffer.readableBytes(), 64),
            StandardCharsets.ISO_8859_1);
    return buffer.getClass().getSimpleName()
        + " refCnt="
        + buffer.refCnt()
        + " readable="
        + buffer.readableBytes()
        + " starting "
        + Escaped.of(head);
  }
}
