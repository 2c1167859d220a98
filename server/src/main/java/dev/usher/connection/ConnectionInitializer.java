package dev.usher.connection;

import dev.usher.app.UsherApplication;
import dev.usher.proxyprotocol.ProxyProtocolFront;
import dev.usher.tls.ServerTls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import java.util.Optional;

/**
 * Builds the pipeline of every accepted connection (unless its loop is overloaded: {@link
 * LoopOverloadGuard}), in the order a byte travels: usher's meters come first (added on the accept
 * path, with the hand-off time), then the PROXY protocol header and TLS where they are on, then the
 * application's handlers (for HTTP, the connection that owns its HTTP life), then the last-resort
 * error handler, unless the application's last handler {@link OwnsErrors}.
 */
@Sharable
public final class ConnectionInitializer extends ChannelInitializer<Channel> {
  private final UsherApplication application;
  private final Optional<ProxyProtocolFront> proxyProtocol;
  private final Optional<ServerTls> tls;
  private final LoopOverloadGuard overloadGuard;

  public ConnectionInitializer(
      UsherApplication application,
      Optional<ProxyProtocolFront> proxyProtocol,
      Optional<ServerTls> tls,
      LoopOverloadGuard overloadGuard) {
    this.overloadGuard = overloadGuard;
    this.application = application;
    this.proxyProtocol = proxyProtocol;
    this.tls = tls;
  }

  @Override
  protected void initChannel(Channel channel) {
    if (overloadGuard.refused(channel)) {
      return;
    }
    ChannelPipeline pipeline = channel.pipeline();
    proxyProtocol.ifPresent(front -> front.install(pipeline));
    tls.ifPresent(front -> front.install(pipeline));
    application.initConnection(pipeline);
    if (!(pipeline.last() instanceof OwnsErrors)) {
      pipeline.addLast(PipelineNames.ERRORS, ConnectionErrorHandler.INSTANCE);
    }
  }
}
