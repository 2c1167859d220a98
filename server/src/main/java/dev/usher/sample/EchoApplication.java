package dev.usher.sample;

import dev.usher.app.UsherApplication;
import dev.usher.connection.PipelineNames;
import dev.usher.connection.StreamConnection;
import io.netty.channel.ChannelPipeline;
import java.time.Duration;

/**
 * The sample TCP protocol: every byte received is sent back. For load tests with TCP-level clients,
 * and the model of a raw TCP protocol: usher's {@link StreamConnection} first, then the protocol's
 * handlers.
 */
public final class EchoApplication implements UsherApplication {
  /** The name of the echo handler, after usher's {@link PipelineNames#STREAM}. */
  public static final String ECHO = "echo";

  private final Duration idleTimeout;
  private final Duration lingeringTimeout;
  private final Duration lingeringTime;

  public EchoApplication(Duration idleTimeout, Duration lingeringTimeout, Duration lingeringTime) {
    this.idleTimeout = idleTimeout;
    this.lingeringTimeout = lingeringTimeout;
    this.lingeringTime = lingeringTime;
  }

  @Override
  public String name() {
    return "echo";
  }

  @Override
  public void initConnection(ChannelPipeline pipeline) {
    pipeline
        .addLast(
            PipelineNames.STREAM,
            new StreamConnection(idleTimeout, lingeringTimeout, lingeringTime))
        .addLast(ECHO, EchoHandler.INSTANCE);
  }
}
