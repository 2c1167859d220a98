package dev.usher.admin;

import dev.usher.accept.DescriptorReserve;
import dev.usher.connection.StreamConnection;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The admin listener: its own port and its own one-thread event loop, so a scrape or a probe is
 * answered even when the main listener is overloaded. Serves {@code /metrics}, {@code /health/live}
 * and {@code /health/ready}.
 */
public final class AdminServer {
  /**
   * The descriptors to hold in reserve for the admin listener: when the process runs out, a scrape
   * needs one for its connection, a probe arriving with it one more, the scrape's {@code /proc} and
   * cgroup reads one at a time on the admin loop, and the open-file sampler one on its own thread.
   */
  public static final int RESERVED_DESCRIPTORS = 4;

  private static final int MAX_ADMIN_REQUEST_BYTES = 64 * 1024;
  // Scrapers and probes come back every few seconds; one silent for this long is not one.
  private static final Duration ADMIN_IDLE_TIMEOUT = Duration.ofMinutes(2);

  private AdminServer() {}

  /**
   * The admin listener, ready to bind.
   *
   * @param reserve released when the admin listener's accept runs out of descriptors
   */
  public static ServerBootstrap bootstrap(
      EventLoopGroup group,
      ChannelFactory<? extends ServerChannel> channels,
      PrometheusMeterRegistry registry,
      BooleanSupplier ready,
      DescriptorReserve reserve) {
    AdminRoutes routes = new AdminRoutes(registry, ready);
    return new ServerBootstrap()
        .group(group)
        .channelFactory(channels)
        .handler(new AdminAcceptFailures(reserve))
        .childHandler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline()
                    .addLast(new StreamConnection(ADMIN_IDLE_TIMEOUT, Duration.ZERO, Duration.ZERO))
                    .addLast(new HttpServerCodec())
                    .addLast(new HttpServerKeepAliveHandler())
                    .addLast(new HttpObjectAggregator(MAX_ADMIN_REQUEST_BYTES))
                    .addLast(routes);
              }
            });
  }
}
