package dev.usher.app;

import io.netty.channel.ChannelPipeline;
import java.util.List;

/**
 * What serves the connections of the main listener: an HTTP service wrapped by {@link
 * ApplicationSetup#http}, or, for a raw TCP protocol, a team's own implementation.
 *
 * <p>A raw TCP protocol appends its handlers in {@link #initConnection}, in the order a byte
 * travels, after usher's {@code dev.usher.connection.StreamConnection} (the idle timeout,
 * half-close, backpressure and drain; see {@code dev.usher.sample.EchoApplication}). usher has
 * already added its meters, and adds its last-resort error handler after, unless the last handler
 * is a {@code dev.usher.connection.OwnsErrors}. An application never sees usher's meters, limits or
 * the listener.
 *
 * <p>Draining: when the server shuts down, every open connection receives {@link
 * DrainRequested#INSTANCE} as a user event. The connection finishes the work in flight, then closes
 * (an HTTP connection answers the requests it has with {@code Connection: close}). Whatever is
 * still open at {@code shutdown.drain-timeout} is closed by usher.
 */
public interface UsherApplication {

  /** A short name for logs and the {@code server_info} meter, such as {@code http}. */
  String name();

  /**
   * What TLS's ALPN offers clients for this application, most preferred first, such as {@code
   * http/1.1}; empty (the default) offers nothing.
   */
  default List<String> applicationProtocols() {
    return List.of();
  }

  /** Appends the application's handlers to a newly accepted connection's pipeline. */
  void initConnection(ChannelPipeline pipeline);
}
