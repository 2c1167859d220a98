package dev.usher.accept;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open connections of one listener: their count, for limits and the active gauge, and the
 * channels themselves, so a drain can reach every one.
 */
public final class ConnectionTracker {
  private final AtomicInteger open = new AtomicInteger();
  private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final ChannelFutureListener onClose = future -> open.decrementAndGet();

  void track(Channel child) {
    open.incrementAndGet();
    channels.add(child);
    child.closeFuture().addListener(onClose);
  }

  /** Connections accepted and not yet closed. */
  public int openConnections() {
    return open.get();
  }

  /** The open connections; closed ones leave the group by themselves. */
  public ChannelGroup channels() {
    return channels;
  }
}
