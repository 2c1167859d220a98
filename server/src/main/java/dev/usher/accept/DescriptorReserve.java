package dev.usher.accept;

import io.netty.channel.unix.Errors;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A few file descriptors held open on {@code /dev/null} for the moment the process runs out of
 * them. When the admin listener's {@code accept()} fails with EMFILE or ENFILE, it releases them,
 * so that a scrape or a probe is still accepted and answered, {@code /proc} reads included, and
 * re-arms them once descriptors are free again; the main listener, which would take every
 * descriptor going, accepts after a failure only once the reserve is held and a descriptor beyond
 * it is free. libuv keeps a descriptor in reserve for the same reason.
 *
 * <p>Thread-safe: the main listener's loops and the admin loop share the one reserve. Only failed
 * accepts and their back-off checks use it, never an accepted connection.
 */
public final class DescriptorReserve implements AutoCloseable {
  private static final Path DEV_NULL = Path.of("/dev/null");
  // Linux's numbers: the native transports, whose exceptions carry an errno, run only on Linux.
  private static final int ENFILE = 23;
  private static final int EMFILE = 24;
  // The NIO transport's exception has only strerror's text: EMFILE's, which begins ENFILE's too.
  private static final String OUT_OF_DESCRIPTORS_TEXT = "Too many open files";

  /** Opens one descriptor for the reserve. */
  @FunctionalInterface
  interface Opener {
    Closeable open() throws IOException;
  }

  private final int size;
  private final Opener opener;
  private final Deque<Closeable> held = new ArrayDeque<>();
  private boolean closed;

  DescriptorReserve(int size, Opener opener) throws IOException {
    if (size <= 0) {
      throw new IllegalArgumentException("size: " + size + " (expected: > 0)");
    }
    this.size = size;
    this.opener = opener;
    try {
      while (held.size() < size) {
        held.push(opener.open());
      }
    } catch (IOException cannotOpen) {
      close();
      throw cannotOpen;
    }
  }

  /**
   * Holds {@code size} descriptors on {@code /dev/null}.
   *
   * @throws IOException when they cannot all be opened
   */
  public static DescriptorReserve open(int size) throws IOException {
    return new DescriptorReserve(size, () -> FileChannel.open(DEV_NULL, StandardOpenOption.READ));
  }

  /** Whether {@code accept()} failed because the process or the system ran out of descriptors. */
  public static boolean isOutOfDescriptors(Throwable cause) {
    if (cause instanceof Errors.NativeIoException failure) {
      int errno = -failure.expectedErr();
      return errno == EMFILE || errno == ENFILE;
    }
    return cause instanceof IOException
        && cause.getMessage() != null
        && cause.getMessage().contains(OUT_OF_DESCRIPTORS_TEXT);
  }

  /** How many descriptors the reserve holds when it is armed. */
  public int size() {
    return size;
  }

  /**
   * Closes the reserve's descriptors so that others can take them.
   *
   * @return false when there was nothing to release: the reserve was already released
   */
  public synchronized boolean release() {
    if (held.isEmpty()) {
      return false;
    }
    closeHeldDownTo(0);
    return true;
  }

  /**
   * Re-arms a released reserve once descriptors are free again: true when the reserve is held whole
   * and one descriptor more could be opened now. All or nothing, and only with that descriptor to
   * spare: a reserve taken back while the process is still at its limit would take the descriptors
   * that a scrape in progress needs for its {@code /proc} reads, and leave the next admin accept to
   * fail. While it checks, it holds every free descriptor for a moment: call it only from the loop
   * that accepts the admin connections, which cannot accept meanwhile.
   */
  public synchronized boolean rearmIfFree() {
    if (closed) {
      return false;
    }
    int before = held.size();
    try {
      while (held.size() < size) {
        held.push(opener.open());
      }
      closeQuietly(opener.open());
      return true;
    } catch (IOException stillOut) {
      closeHeldDownTo(before);
      return false;
    }
  }

  /**
   * Whether an accept may succeed without eating into the reserve: true when the reserve is held
   * whole and one descriptor beyond it can be opened now. A released reserve says false without
   * trying, so that a main listener's check never takes, even for a moment, the descriptors an
   * admin accept needs.
   */
  public synchronized boolean hasDescriptorToSpare() {
    if (closed || held.size() < size) {
      return false;
    }
    try {
      closeQuietly(opener.open());
      return true;
    } catch (IOException stillOut) {
      return false;
    }
  }

  /** Whether the reserve holds its descriptors (it is not released). */
  public synchronized boolean isArmed() {
    return held.size() == size;
  }

  /** Closes what the reserve holds; it cannot be re-armed after this. */
  @Override
  public synchronized void close() {
    closed = true;
    closeHeldDownTo(0);
  }

  private void closeHeldDownTo(int count) {
    while (held.size() > count) {
      closeQuietly(held.pop());
    }
  }

  private static void closeQuietly(Closeable descriptor) {
    try {
      descriptor.close();
    } catch (IOException ignored) {
      // Closing /dev/null has nothing to flush, and Linux frees the descriptor whatever close says.
    }
  }
}
