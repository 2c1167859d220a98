package dev.usher.lifecycle;

import static org.awaitility.Awaitility.await;

import dev.usher.metrics.TcpInfoReader;
import io.netty.channel.Channel;
import io.netty.channel.unix.UnixChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * Holds a running server's listener from accepting: connections complete their handshake and wait
 * in the kernel's accept queue, as they do when the boss loop cannot keep up. Closing releases it.
 *
 * <p>io_uring keeps an accept armed in the kernel, which may still take one connection after
 * reading stops. A sentinel connection absorbs it; {@link #baselineDepth()} is the queue depth the
 * hold starts from (0 if the sentinel was accepted, 1 if it waits in the queue).
 */
public final class AcceptHold implements AutoCloseable {
  private final Channel listener;
  private final Socket sentinel;
  private final int baselineDepth;

  private AcceptHold(Channel listener, Socket sentinel, int baselineDepth) {
    this.listener = listener;
    this.sentinel = sentinel;
    this.baselineDepth = baselineDepth;
  }

  public static AcceptHold hold(UsherServer server) throws IOException {
    Channel listener = server.listenerChannel();
    listener.config().setAutoRead(false);
    int openBefore = server.openConnections();
    Socket sentinel =
        new Socket("127.0.0.1", ((InetSocketAddress) listener.localAddress()).getPort());
    int depth;
    try (TcpInfoReader reader = TcpInfoReader.create().orElseThrow()) {
      int fd = listenerFd(server);
      // An armed accept takes the sentinel at once; otherwise it waits in the queue, and with no
      // accept armed nothing will take it: either way the state is stable from here.
      await()
          .pollInSameThread()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  server.openConnections() > openBefore
                      || (reader.read(fd) && reader.listenQueueDepth() == 1));
      reader.read(fd);
      depth = reader.listenQueueDepth();
    }
    return new AcceptHold(listener, sentinel, depth);
  }

  /** The listening socket's descriptor, for a second, independent TCP_INFO read. */
  public static int listenerFd(UsherServer server) {
    return ((UnixChannel) server.listenerChannel()).fd().intValue();
  }

  /** Connections already in the queue when the hold began. */
  public int baselineDepth() {
    return baselineDepth;
  }

  @Override
  public void close() throws IOException {
    listener.config().setAutoRead(true);
    sentinel.close();
  }
}
