package dev.usher.app;

import io.netty.channel.ChannelPipeline;

/**
 * What a team that forks usher implements: the handlers that serve one accepted connection.
 *
 * <p>usher has already added its own handlers (accounting, idle timeout) when {@link
 * #initConnection} runs; the application appends its own, in the order a byte travels. It never
 * sees metrics, limits or the listener.
 *
 * <p>The one contract beyond that is draining: when the server shuts down, every open connection
 * receives {@link DrainRequested#INSTANCE} as a user event. The application finishes the work in
 * flight, then closes the connection (an HTTP application answers the request it is serving with
 * {@code Connection: close}). Whatever is still open at {@code shutdown.drain-timeout} is closed by
 * usher.
 */
public interface UsherApplication {

  /** A short name for logs and the {@code server_info} meter, such as {@code http}. */
  String name();

  /** Appends the application's handlers to a newly accepted connection's pipeline. */
  void initConnection(ChannelPipeline pipeline);
}
