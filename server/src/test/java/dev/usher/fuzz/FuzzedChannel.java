package dev.usher.fuzz;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DuplexChannel;

/**
 * An embedded channel as a socket to a client that may not read: its halves can be shut, and while
 * the client does not read, what usher flushes stays in the channel's outbound buffer, as it would
 * stay in a full socket buffer, so that the channel turns unwritable past its high-water mark and
 * usher's backpressure pauses reading.
 */
final class FuzzedChannel extends EmbeddedChannel implements DuplexChannel {
  private boolean clientReads;
  private boolean inputShut;
  private boolean outputShut;

  FuzzedChannel(EmbeddedChannel.Builder builder, boolean clientReads) {
    super(builder);
    this.clientReads = clientReads;
  }

  /** The client reads what usher has flushed so far, and then reads on only if it did before. */
  void clientReadsOnce() {
    boolean before = clientReads;
    clientReads = true;
    unsafe().flush();
    clientReads = before;
  }

  /** From now on the client reads everything usher flushes. */
  void clientReadsFromNowOn() {
    clientReads = true;
    unsafe().flush();
  }

  @Override
  protected void doWrite(ChannelOutboundBuffer in) throws Exception {
    if (clientReads) {
      super.doWrite(in);
    }
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
