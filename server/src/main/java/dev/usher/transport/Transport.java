package dev.usher.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.function.Supplier;

/**
 * One chosen transport: how to make its event loops and which server channel to listen with. Native
 * transports ({@code io_uring}, {@code epoll}) expose the socket's file descriptor, which is what
 * lets usher read the kernel's view of the listen queue.
 */
public record Transport(
    TransportKind kind,
    Supplier<IoHandlerFactory> ioHandlerFactory,
    Class<? extends ServerChannel> serverChannelType) {

  static Transport ioUring() {
    return new Transport(
        TransportKind.IO_URING, IoUringIoHandler::newFactory, IoUringServerSocketChannel.class);
  }

  static Transport epoll() {
    return new Transport(
        TransportKind.EPOLL, EpollIoHandler::newFactory, EpollServerSocketChannel.class);
  }

  static Transport nio() {
    return new Transport(TransportKind.NIO, NioIoHandler::newFactory, NioServerSocketChannel.class);
  }

  /** A new event loop group of {@code threads} threads named {@code usher-<name>-N}. */
  public EventLoopGroup newEventLoopGroup(String name, int threads) {
    return new MultiThreadIoEventLoopGroup(
        threads, new DefaultThreadFactory("usher-" + name, true), ioHandlerFactory.get());
  }

  /** Whether sockets of this transport have a file descriptor the kernel can be asked about. */
  public boolean exposesFileDescriptor() {
    return kind != TransportKind.NIO;
  }
}
