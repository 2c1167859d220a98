package dev.usher.app.echo;

import dev.usher.app.UsherApplication;
import io.netty.channel.ChannelPipeline;

/** Raw TCP echo: every byte received is sent back. For load tests with TCP-level clients. */
public final class EchoApplication implements UsherApplication {

  @Override
  public String name() {
    return "echo";
  }

  @Override
  public void initConnection(ChannelPipeline pipeline) {
    pipeline.addLast("echo", EchoHandler.INSTANCE);
  }
}
