package dev.usher.transport;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * What usher asks of a socket descriptor it did not open itself (one handed over by another usher,
 * or one systemd passes): whether it is a listening TCP socket, its port, and making it
 * non-blocking, which Netty's event loops need and systemd does not do unless told to ({@code
 * NonBlocking=yes}), and close-on-exec. Netty has no call for these on a descriptor it adopts,
 * hence {@code getsockopt}, {@code getsockname} and {@code fcntl} through Java's FFM API.
 */
public final class SocketDescriptors {
  private static final int SOL_SOCKET = 1;
  private static final int SO_TYPE = 3;
  private static final int SO_ACCEPTCONN = 30;
  private static final int SO_PROTOCOL = 38;
  private static final int SO_DOMAIN = 39;
  private static final int SOCK_STREAM = 1;
  private static final int AF_INET = 2;
  private static final int AF_INET6 = 10;
  private static final int IPPROTO_TCP = 6;
  private static final int F_GETFD = 1;
  private static final int F_SETFD = 2;
  private static final int F_GETFL = 3;
  private static final int F_SETFL = 4;
  private static final int FD_CLOEXEC = 1;
  private static final int O_NONBLOCK = 0x800;
  // sockaddr_in and sockaddr_in6 both hold the port, in network order, at bytes 2 and 3.
  private static final int SOCKADDR_STORAGE_BYTES = 128;
  private static final int SOCKADDR_PORT_OFFSET = 2;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final MethodHandle GETSOCKOPT =
      downcall(
          "getsockopt",
          FunctionDescriptor.of(
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT,
              ValueLayout.ADDRESS,
              ValueLayout.ADDRESS));
  private static final MethodHandle GETSOCKNAME =
      downcall(
          "getsockname",
          FunctionDescriptor.of(
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT,
              ValueLayout.ADDRESS,
              ValueLayout.ADDRESS));
  private static final MethodHandle FCNTL =
      downcall(
          "fcntl",
          FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
          Linker.Option.firstVariadicArg(2));
  private static final MethodHandle FCNTL_SET =
      downcall(
          "fcntl",
          FunctionDescriptor.of(
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT),
          Linker.Option.firstVariadicArg(2));

  private SocketDescriptors() {}

  /**
   * Whether {@code fd} is a TCP socket (IPv4 or IPv6, not a Unix stream socket) in the listening
   * state ({@code SO_ACCEPTCONN}).
   */
  public static boolean isListeningTcpSocket(int fd) {
    int domain = intOption(fd, SO_DOMAIN);
    return (domain == AF_INET || domain == AF_INET6)
        && intOption(fd, SO_TYPE) == SOCK_STREAM
        && intOption(fd, SO_PROTOCOL) == IPPROTO_TCP
        && intOption(fd, SO_ACCEPTCONN) == 1;
  }

  /** The port a TCP socket is bound to ({@code getsockname}). */
  public static int localPort(int fd) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment address = arena.allocate(SOCKADDR_STORAGE_BYTES);
      MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
      length.set(ValueLayout.JAVA_INT, 0, SOCKADDR_STORAGE_BYTES);
      if ((int) GETSOCKNAME.invokeExact(fd, address, length) != 0) {
        throw new IllegalStateException("getsockname(" + fd + ") failed");
      }
      return Short.toUnsignedInt(
          address.get(
              ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN),
              SOCKADDR_PORT_OFFSET));
    } catch (IllegalStateException failed) {
      throw failed;
    } catch (Throwable unexpected) {
      throw new IllegalStateException("getsockname on fd " + fd + " failed", unexpected);
    }
  }

  /** Sets {@code O_NONBLOCK} on {@code fd} (a no-op when it is set already). */
  public static void setNonBlocking(int fd) {
    setFlag(fd, F_GETFL, F_SETFL, O_NONBLOCK, "O_NONBLOCK");
  }

  /**
   * Sets {@code FD_CLOEXEC} on {@code fd}, so that a program this process runs does not inherit it
   * (as {@code sd_listen_fds(3)} does for the descriptors systemd passes).
   */
  public static void setCloseOnExec(int fd) {
    setFlag(fd, F_GETFD, F_SETFD, FD_CLOEXEC, "FD_CLOEXEC");
  }

  private static void setFlag(int fd, int get, int set, int flag, String name) {
    try {
      int flags = (int) FCNTL.invokeExact(fd, get);
      if (flags < 0) {
        throw new IllegalStateException("fcntl(" + fd + ") cannot read the flags for " + name);
      }
      if ((flags & flag) == 0 && (int) FCNTL_SET.invokeExact(fd, set, flags | flag) < 0) {
        throw new IllegalStateException("fcntl(" + fd + ") cannot set " + name);
      }
    } catch (IllegalStateException failed) {
      throw failed;
    } catch (Throwable unexpected) {
      throw new IllegalStateException("fcntl on fd " + fd + " failed", unexpected);
    }
  }

  // -1 when the kernel refuses: not a socket, or not open.
  private static int intOption(int fd, int option) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
      MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
      length.set(ValueLayout.JAVA_INT, 0, Integer.BYTES);
      int result = (int) GETSOCKOPT.invokeExact(fd, SOL_SOCKET, option, value, length);
      return result == 0 ? value.get(ValueLayout.JAVA_INT, 0) : -1;
    } catch (Throwable unexpected) {
      throw new IllegalStateException("getsockopt on fd " + fd + " failed", unexpected);
    }
  }

  // Restricted by design: the jar's manifest enables native access, as for TcpInfoReader.
  @SuppressWarnings("restricted")
  private static MethodHandle downcall(
      String name, FunctionDescriptor descriptor, Linker.Option... options) {
    return LINKER.downcallHandle(
        LINKER.defaultLookup().find(name).orElseThrow(), descriptor, options);
  }
}
