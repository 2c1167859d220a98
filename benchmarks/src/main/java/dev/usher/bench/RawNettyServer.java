package dev.usher.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
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
import java.util.function.Consumer;

/**
 * The plainest Netty server the raw baselines run on: the transport, boss and worker threads their
 * command line names, a backlog of 4096, TCP_NODELAY, and each connection's handlers from the
 * baseline.
 */
final class RawNettyServer {
  private RawNettyServer() {}

  /**
   * Binds 127.0.0.1 and serves until the listener closes; prints "ready PORT" once bound.
   *
   * @param args PORT TRANSPORT BOSS_THREADS WORKER_THREADS (TRANSPORT: io_uring, epoll or nio)
   */
  static void serve(String[] args, Consumer<ChannelPipeline> initConnection)
      throws InterruptedException {
    int port = Integer.parseInt(args[0]);
    String transport = args[1];
    int bossThreads = Integer.parseInt(args[2]);
    int workerThreads = Integer.parseInt(args[3]);
    IoHandlerFactory factory =
        switch (transport) {
          case "io_uring" -> IoUringIoHandler.newFactory();
          case "epoll" -> EpollIoHandler.newFactory();
          default -> NioIoHandler.newFactory();
        };
    Class<? extends ServerChannel> channelType =
        switch (transport) {
          case "io_uring" -> IoUringServerSocketChannel.class;
          case "epoll" -> EpollServerSocketChannel.class;
          default -> NioServerSocketChannel.class;
        };
    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(bossThreads, factory);
    EventLoopGroup workers = new MultiThreadIoEventLoopGroup(workerThreads, factory);
    Channel listener =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(channelType)
            .option(ChannelOption.SO_BACKLOG, 4096)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    initConnection.accept(ch.pipeline());
                  }
                })
            .bind("127.0.0.1", port)
            .sync()
            .channel();
    System.out.println("ready " + port);
    listener.closeFuture().sync();
  }
}
