package dev.usher.metrics;

import io.netty.channel.unix.UnixChannel;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Reads {@code struct tcp_info} of a socket with {@code getsockopt(fd, SOL_TCP, TCP_INFO)} through
 * Java's FFM API, without JNI.
 *
 * <p>On a listening socket Linux reports the accept queue: {@code tcpi_unacked} is its current
 * length and {@code tcpi_sacked} the effective backlog. On an accepted socket {@code
 * tcpi_last_ack_recv} is the milliseconds since the client's last ACK, which for a connection not
 * yet read from is the time since its handshake completed: its wait in the accept queue.
 *
 * <p>An instance owns its buffers and is confined to the thread that created it; reads allocate
 * nothing. Use one per thread.
 */
public final class TcpInfoReader implements AutoCloseable {
  private static final int SOL_TCP = 6;
  private static final int TCP_INFO = 11;
  // Offsets in struct tcp_info (include/uapi/linux/tcp.h); this prefix has been stable since 2.6.
  private static final long UNACKED_OFFSET = 24;
  private static final long SACKED_OFFSET = 28;
  private static final long LAST_DATA_RECV_OFFSET = 52;
  private static final long LAST_ACK_RECV_OFFSET = 56;
  private static final long BYTES_RECEIVED_OFFSET = 128;
  private static final int REQUIRED_BYTES = 60;
  private static final int BYTES_RECEIVED_END = 136;
  private static final int BUFFER_BYTES = 256;

  private static final Optional<MethodHandle> GETSOCKOPT = lookupGetsockopt();

  private final Arena arena = Arena.ofConfined();
  private final MemorySegment info = arena.allocate(BUFFER_BYTES, 8);
  private final MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
  private final MethodHandle getsockopt;
  private int readBytes;

  private TcpInfoReader(MethodHandle getsockopt) {
    this.getsockopt = getsockopt;
  }

  /** Whether this platform has {@code getsockopt} with Linux's {@code TCP_INFO}. */
  public static boolean isSupported() {
    return GETSOCKOPT.isPresent();
  }

  /** Why {@link #isSupported()} is false, for the one log line that says so. */
  public static String unsupportedReason() {
    return "TCP_INFO needs Linux (this is " + System.getProperty("os.name") + ")";
  }

  /** A reader for the calling thread, when the platform supports it. */
  public static Optional<TcpInfoReader> create() {
    return GETSOCKOPT.map(TcpInfoReader::new);
  }

  /**
   * Reads the socket's {@code tcp_info}; the accessors below then describe it.
   *
   * @return false when the kernel refused (a closed descriptor, say); the accessors are then stale
   */
  public boolean read(int fd) {
    length.set(ValueLayout.JAVA_INT, 0, BUFFER_BYTES);
    int result;
    try {
      result = (int) getsockopt.invokeExact(fd, SOL_TCP, TCP_INFO, info, length);
    } catch (Throwable unexpected) {
      throw new IllegalStateException("getsockopt(TCP_INFO) failed on fd " + fd, unexpected);
    }
    if (result != 0) {
      return false;
    }
    readBytes = length.get(ValueLayout.JAVA_INT, 0);
    return readBytes >= REQUIRED_BYTES;
  }

  /**
   * Reads an accepted connection's {@code tcp_info} for the accept path, which a measurement that
   * fails must not fail: false, rather than an exception, when the call itself fails.
   */
  public boolean readAccepted(UnixChannel connection) {
    try {
      return read(connection.fd().intValue());
    } catch (RuntimeException unreadable) {
      return false;
    }
  }

  /** On a listening socket: connections in the accept queue now ({@code tcpi_unacked}). */
  public int listenQueueDepth() {
    return info.get(ValueLayout.JAVA_INT, UNACKED_OFFSET);
  }

  /** On a listening socket: the backlog the kernel really uses ({@code tcpi_sacked}). */
  public int listenQueueLimit() {
    return info.get(ValueLayout.JAVA_INT, SACKED_OFFSET);
  }

  /** On a connected socket: milliseconds since the peer's last ACK ({@code tcpi_last_ack_recv}). */
  public long millisSinceLastAckReceived() {
    return Integer.toUnsignedLong(info.get(ValueLayout.JAVA_INT, LAST_ACK_RECV_OFFSET));
  }

  /**
   * On a connected socket: milliseconds since the last segment that carried data arrived ({@code
   * tcpi_last_data_recv}), which for a request not yet read is how long it has waited in the
   * socket.
   */
  public long millisSinceLastDataReceived() {
    return Integer.toUnsignedLong(info.get(ValueLayout.JAVA_INT, LAST_DATA_RECV_OFFSET));
  }

  /**
   * On a connected socket: whether the peer has sent any payload ({@code tcpi_bytes_received},
   * Linux 4.1 and later; without it, assumed so).
   */
  public boolean receivedData() {
    return readBytes < BYTES_RECEIVED_END
        || info.get(ValueLayout.JAVA_LONG, BYTES_RECEIVED_OFFSET) > 0;
  }

  @Override
  public void close() {
    arena.close();
  }

  // Restricted by design: this is the FFM call the whole class exists for (the jar's manifest
  // enables native access).
  @SuppressWarnings("restricted")
  private static Optional<MethodHandle> lookupGetsockopt() {
    if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
      return Optional.empty();
    }
    Linker linker = Linker.nativeLinker();
    SymbolLookup libc = linker.defaultLookup();
    return libc.find("getsockopt")
        .map(
            address ->
                linker.downcallHandle(
                    address,
                    FunctionDescriptor.of(
                        ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS,
                        ValueLayout.ADDRESS),
                    Linker.Option.critical(false)));
  }
}
