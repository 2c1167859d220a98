package dev.usher.accept;

import java.io.Closeable;
import java.io.IOException;

/**
 * A process's descriptor table in miniature, for the reserve's rules without exhausting the test's
 * own: a limit, the descriptors open, and a {@link DescriptorReserve} that opens its descriptors
 * here, failing as {@code open} does at the limit (EMFILE).
 */
public final class SimulatedDescriptors {
  private final int limit;
  private int open;

  public SimulatedDescriptors(int limit) {
    this.limit = limit;
  }

  /** A reserve of {@code size} descriptors taken from this table. */
  public DescriptorReserve reserve(int size) throws IOException {
    return new DescriptorReserve(size, this::openOne);
  }

  /** Takes {@code count} descriptors, as connections would; fails past the limit. */
  public void take(int count) throws IOException {
    for (int i = 0; i < count; i++) {
      openOne();
    }
  }

  /** Takes every descriptor still free. */
  public void takeAll() {
    open = limit;
  }

  /** Gives back {@code count} descriptors, as closing connections would. */
  public void give(int count) {
    open -= count;
  }

  public int open() {
    return open;
  }

  public int free() {
    return limit - open;
  }

  /** The failure an accept meets at the limit, in the form the NIO transport reports it. */
  public static IOException outOfDescriptors() {
    return new IOException("Too many open files");
  }

  private Descriptor openOne() throws IOException {
    if (open == limit) {
      throw outOfDescriptors();
    }
    open++;
    return new Descriptor();
  }

  private final class Descriptor implements Closeable {
    private boolean closed;

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        open--;
      }
    }
  }
}
