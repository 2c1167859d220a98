package dev.usher.testing;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DuplexChannel;

/** An embedded channel whose halves can be shut, as a socket's can: for the lingering close. */
public final class DuplexEmbeddedChannel extends EmbeddedChannel implements DuplexChannel {
  private boolean inputShut;
  private boolean outputShut;

  public DuplexEmbeddedChannel(EmbeddedChannel.Builder builder) {
    super(builder);
  }

  @Override
  public boolean isInputShutdown() {
    return inputShut;
  }

  @Override
  public ChannelFuture shutdownInput() {
    return shutdownInput(newPromise());
  }

  @Override
  public ChannelFuture shutdownInput(ChannelPromise promise) {
    inputShut = true;
    return promise.setSuccess();
  }

  @Override
  public boolean isOutputShutdown() {
    return outputShut;
  }

  @Override
  public ChannelFuture shutdownOutput() {
    return shutdownOutput(newPromise());
  }

  @Override
  public ChannelFuture shutdownOutput(ChannelPromise promise) {
    outputShut = true;
    return promise.setSuccess();
  }

  @Override
  public boolean isShutdown() {
    return inputShut && outputShut;
  }

  @Override
  public ChannelFuture shutdown() {
    return shutdown(newPromise());
  }

  @Override
  public ChannelFuture shutdown(ChannelPromise promise) {
    inputShut = true;
    outputShut = true;
    return promise.setSuccess();
  }
}
