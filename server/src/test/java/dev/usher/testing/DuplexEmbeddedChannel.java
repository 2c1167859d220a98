package dev.usher.testing;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DuplexChannel;

/**
 * An embedded channel whose halves can be shut, as a socket's can: for the lingering close. It can
 * also hold the loop's tasks back as a real loop does ({@link #loopTasksWait}).
 */
public final class DuplexEmbeddedChannel extends EmbeddedChannel implements DuplexChannel {
  private boolean inputShut;
  private boolean outputShut;
  private boolean loopTasksWait;

  public DuplexEmbeddedChannel(EmbeddedChannel.Builder builder) {
    super(builder);
  }

  /**
   * From now on, the tasks handlers give the loop run only at {@link #runLoopTasks}. An embedded
   * channel otherwise runs them at the end of each of its operations (a flush within a read batch
   * among them), where a real loop runs them after the batch and the other channels' work.
   */
  public void loopTasksWait() {
    loopTasksWait = true;
  }

  /** The loop runs the tasks waiting for it, those due on its timer included. */
  public void runLoopTasks() {
    super.runPendingTasks();
  }

  @Override
  public void runPendingTasks() {
    if (!loopTasksWait) {
      super.runPendingTasks();
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
