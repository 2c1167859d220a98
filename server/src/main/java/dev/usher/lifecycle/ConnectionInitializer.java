package dev.usher.lifecycle;

import dev.usher.accept.HalfClosedConnectionCloser;
import dev.usher.accept.IdleConnectionCloser;
import dev.usher.app.UsherApplication;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Builds the pipeline of every accepted connection, in the order a byte travels: usher's idle
 * timeout and half-close handling, then the application's handlers, then the last-resort error
 * handler.
 */
@Sharable
final class ConnectionInitializer extends ChannelInitializer<Channel> {
  private final UsherApplication application;
  private final long idleTimeoutMillis;

  ConnectionInitializer(UsherApplication application, Duration idleTimeout) {
    this.application = application;
    this.idleTimeoutMillis = idleTimeout.toMillis();
  }

  @Override
  protected void initChannel(Channel channel) {
    ChannelPipeline pipeline = channel.pipeline();
    pipeline
        .addLast("idle-state", new IdleStateHandler(0, 0, idleTimeoutMillis, TimeUnit.MILLISECONDS))
        .addLast("idle-close", IdleConnectionCloser.INSTANCE)
        .addLast("half-close", HalfClosedConnectionCloser.INSTANCE);
    application.initConnection(pipeline);
    pipeline.addLast("connection-errors", ConnectionErrorHandler.INSTANCE);
  }
}
