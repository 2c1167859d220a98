package dev.usher.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.unix.UnixChannel;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the kernel says of an accepted socket, read through {@code TCP_INFO}: how long ago its last
 * data arrived, which the overload rules take as the wait of a request not yet read. Real sockets:
 * the clock is the kernel's.
 */
class TcpInfoReaderTest {

  @Test
  void theTimeSinceTheLastDataGrowsWhileTheClientIsSilentAndRestartsWithItsNextBytes()
      throws Exception {
    assumeTrue(Epoll.isAvailable() && TcpInfoReader.isSupported(), "needs Linux and epoll");
    EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    CompletableFuture<UnixChannel> accepted = new CompletableFuture<>();
    try (TcpInfoReader reader = TcpInfoReader.create().orElseThrow()) {
      Channel listener =
          new ServerBootstrap()
              .group(loops)
              .channel(EpollServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel connection) {
                      // Nothing reads: what the client sends waits in the socket.
                      connection.config().setAutoRead(false);
                      connection.pipeline().addLast(new ChannelInboundHandlerAdapter());
                      accepted.complete((UnixChannel) connection);
                    }
                  })
              .bind("127.0.0.1", 0)
              .sync()
              .channel();
      try (Socket client =
          new Socket("127.0.0.1", ((InetSocketAddress) listener.localAddress()).getPort())) {
        OutputStream out = client.getOutputStream();
        out.write("GET / HTTP/1.1\r\n\r\n".getBytes());
        out.flush();
        UnixChannel connection = accepted.get(5, TimeUnit.SECONDS);

        Thread.sleep(300);
        // The server sends, and the client's kernel acknowledges it: an ACK without data, which
        // moves tcpi_last_ack_recv and not tcpi_last_data_recv.
        connection.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'!'})).sync();
        assertTrue(client.getInputStream().read() == '!');
        Thread.sleep(100);
        assertTrue(reader.readAccepted(connection));
        long waited = reader.millisSinceLastDataReceived();
        assertTrue(waited >= 350 && waited < 10_000, "waited " + waited + " ms");
        assertTrue(
            reader.millisSinceLastAckReceived() < 350,
            "last ACK " + reader.millisSinceLastAckReceived() + " ms ago");

        out.write("GET / HTTP/1.1\r\n\r\n".getBytes());
        out.flush();
        Thread.sleep(20);
        assertTrue(reader.readAccepted(connection));
        long again = reader.millisSinceLastDataReceived();
        assertTrue(again < 350, "after new bytes: " + again + " ms");
      } finally {
        listener.close().sync();
      }
    } finally {
      loops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).sync();
    }
  }
}
