package dev.usher.lifecycle;

import dev.usher.accept.HalfClosedConnectionCloser;
import dev.usher.accept.IdleTimeout;
import dev.usher.accept.SlowReaderBackpressure;
import dev.usher.app.UsherApplication;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import java.time.Duration;

/**
 * Builds the pipeline of every accepted connection, in the order a byte travels: usher's idle
 * timeout, half-close handling and backpressure on clients that do not read, then the application's
 * handlers, then the last-resort error handler.
 */
@Sharable
final class ConnectionInitializer extends ChannelInitializer<Channel> {
  private final UsherApplication application;
  private final long idleTimeoutNanos;

  ConnectionInitializer(UsherApplication application, Duration idleTimeout) {
    this.application = application;
    this.idleTimeoutNanos = idleTimeout.toNanos();
  }

  @Override
  protected void initChannel(Channel channel) {
    ChannelPipeline pipeline = channel.pipeline();
    pipeline
        .addLast("idle-timeout", new IdleTimeout(idleTimeoutNanos))
        .addLast("half-close", HalfClosedConnectionCloser.INSTANCE)
        .addLast("backpressure", SlowReaderBackpressure.INSTANCE);
    application.initConnection(pipeline);
    pipeline.addLast("connection-errors", ConnectionErrorHandler.INSTANCE);
  }
}
