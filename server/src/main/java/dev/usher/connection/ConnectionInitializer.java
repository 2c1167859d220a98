package dev.usher.connection;

import dev.usher.app.UsherApplication;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelInitializer;

/**
 * Builds the pipeline of every accepted connection, in the order a byte travels: usher's meters
 * come first (added on the accept path, with the hand-off time), then the application's handlers
 * (for HTTP, the connection that owns its HTTP life), then the last-resort error handler.
 */
@Sharable
public final class ConnectionInitializer extends ChannelInitializer<Channel> {
  private final UsherApplication application;

  public ConnectionInitializer(UsherApplication application) {
    this.application = application;
  }

  @Override
  protected void initChannel(Channel channel) {
    application.initConnection(channel.pipeline());
    channel.pipeline().addLast(PipelineNames.ERRORS, ConnectionErrorHandler.INSTANCE);
  }
}
