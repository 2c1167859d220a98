package dev.usher.transport;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * What usher asks of a socket descriptor it did not open itself (one handed over by another usher,
 * or one systemd passes): whether it is a listening stream socket, and making it non-blocking,
 * which Netty's event loops need and systemd does not do unless told to ({@code NonBlocking=yes}).
 * Netty has no call for either on a descriptor it adopts, hence {@code getsockopt} and {@code
 * fcntl} through Java's FFM API.
 */
public final class SocketDescriptors {
  private static final int SOL_SOCKET = 1;
  private static final int SO_TYPE = 3;
  private static final int SO_ACCEPTCONN = 30;
  private static final int SOCK_STREAM = 1;
  private static final int F_GETFL = 3;
  private static final int F_SETFL = 4;
  private static final int O_NONBLOCK = 0x800;

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

  /** Whether {@code fd} is a stream socket in the listening state ({@code SO_ACCEPTCONN}). */
  public static boolean isListeningStreamSocket(int fd) {
    return intOption(fd, SO_TYPE) == SOCK_STREAM && intOption(fd, SO_ACCEPTCONN) == 1;
  }

  /** Sets {@code O_NONBLOCK} on {@code fd} (a no-op when it is set already). */
  public static void setNonBlocking(int fd) {
    try {
      int flags = (int) FCNTL.invokeExact(fd, F_GETFL);
      if (flags < 0) {
        throw new IllegalStateException("fcntl(" + fd + ", F_GETFL) failed");
      }
      if ((flags & O_NONBLOCK) == 0
          && (int) FCNTL_SET.invokeExact(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        throw new IllegalStateException("fcntl(" + fd + ", F_SETFL, O_NONBLOCK) failed");
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
