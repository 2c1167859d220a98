package dev.usher.fuzz;

import dev.usher.app.DrainRequested;
import dev.usher.connection.ConnectionInitializer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.concurrent.MockTicker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * One fuzzed connection on an embedded channel whose time is a mock ticker: it plays a {@link
 * ConnectionScript}, collects what the server writes, and checks after every step what must hold
 * whatever the client sends.
 *
 * <ul>
 *   <li>No exception escapes the pipeline: usher's last resort logs none at WARN, the channel's
 *       tail sees none.
 *   <li>The open-connection count (the accept path's {@code ConnectionTracker}) counts this
 *       connection exactly while it is open, and returns to zero once it is closed.
 *   <li>Nothing is written once the server has shut its output.
 *   <li>Once the client has closed: no buffer from the connection's allocator is still referenced,
 *       and nothing was logged at WARN or above.
 * </ul>
 *
 * The reads honour the channel's auto-read, as a socket's would: while usher has paused reading,
 * the client's bytes (and its half-close) wait. A client that does not read its answers ({@link
 * FuzzedChannel}) reads them at its script's reads, and all that is left once its script is played.
 */
final class FuzzedConnection {
  // Timers due within a step run at its end: late by at most this, as a busy loop's would.
  private static final long STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  private static final byte[] END = new byte[0];

  private final FuzzedServer server;
  private final ConnectionScript script;
  private final MockTicker ticker;
  private final AuditedAllocator allocator = new AuditedAllocator();
  private final FuzzedChannel channel;
  private final ByteArrayOutputStream written = new ByteArrayOutputStream();
  private final List<Throwable> escaped = new ArrayList<>();
  // What the client has sent that usher has not read yet: bytes, or END for the half-close.
  private final Queue<byte[]> unread = new ArrayDeque<>();
  private boolean clientFinished;
  private boolean drained;
  private final ByteArrayOutputStream readBeforeTheDrain = new ByteArrayOutputStream();
  private int writtenWhenOutputShut = -1;
  private final List<ConnectionScript.Step> played = new ArrayList<>();

  FuzzedConnection(
      FuzzedServer server,
      ConnectionInitializer initializer,
      MockTicker ticker,
      ConnectionScript script) {
    this.server = server;
    this.ticker = ticker;
    this.script = script;
    channel =
        new FuzzedChannel(
            EmbeddedChannel.builder().register(false).ticker(ticker), !script.slowReader());
    channel.config().setAllocator(allocator);
    if (script.slowReader()) {
      channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(64, 256));
    }
    channel.pipeline().addLast(initializer);
  }

  Channel channel() {
    return channel;
  }

  void register() {
    try {
      channel.register();
    } catch (Exception failed) {
      throw new AssertionError("registering the connection failed", failed);
    }
    settle();
  }

  /** Plays the script, then the client closes; every check runs on the way. */
  void play() {
    for (ConnectionScript.Step step : script.steps()) {
      if (!channel.isOpen()) {
        break;
      }
      played.add(step);
      switch (step) {
        case ConnectionScript.Send send -> {
          if (!clientFinished) {
            unread.add(send.bytes());
          }
        }
        case ConnectionScript.HalfClose halfClose -> {
          if (!clientFinished) {
            clientFinished = true;
            unread.add(END);
          }
        }
        case ConnectionScript.Drain drain -> {
          drained = true;
          channel.pipeline().fireUserEventTriggered(DrainRequested.INSTANCE);
        }
        case ConnectionScript.Advance advance -> advance(advance.time());
        case ConnectionScript.Read read -> channel.clientReadsOnce();
      }
      settle();
    }
    // The client reads what is left, so that every answer can be checked.
    if (channel.isOpen()) {
      channel.clientReadsFromNowOn();
      settle();
    }
  }

  /** Whether the connection is open, as the client's last step left it. */
  boolean isOpen() {
    return channel.isOpen();
  }

  /** Whether usher has shut its output and reads on, dropping what it reads: a lingering close. */
  boolean lingers() {
    return channel.isOpen() && channel.isOutputShutdown();
  }

  /** The client closes the connection; the last checks. */
  void clientCloses() {
    channel.close();
    settle();
    channel.finishAndReleaseAll();
    server.closed(this);
    check(server.openConnections() == 0, "the open-connection count is not back to zero");
    List<String> referenced = allocator.stillReferenced();
    check(referenced.isEmpty(), "buffers still referenced after the close: " + referenced);
    check(server.warnings().isEmpty(), "logged: " + server.warnings());
  }

  /**
   * Closes a connection whose checks failed, whatever state it is in, so that the next is fresh.
   */
  void abandon() {
    try {
      channel.finishAndReleaseAll();
    } catch (RuntimeException alreadyReported) {
      // The failure that left the connection open has been reported.
    }
  }

  /** The bytes usher read before a drain began (all it read, without one). */
  byte[] readBeforeTheDrain() {
    return readBeforeTheDrain.toByteArray();
  }

  /** Everything the server wrote. */
  byte[] written() {
    return written.toByteArray();
  }

  /**
   * An invariant: when it does not hold, the failure says what the script was and what came back.
   */
  void check(boolean holds, String what) {
    if (!holds) {
      throw new AssertionError(what + "\n" + this);
    }
  }

  @Override
  public String toString() {
    return "script: "
        + script
        + "\nplayed: "
        + played.size()
        + " of "
        + script.steps().size()
        + " steps\nwritten: \""
        + Escaped.of(written.toByteArray())
        + "\"";
  }

  private void advance(Duration time) {
    for (long left = time.toNanos(); left > 0 && channel.isOpen(); left -= STEP_NANOS) {
      ticker.advance(Math.min(STEP_NANOS, left), TimeUnit.NANOSECONDS);
      channel.runScheduledPendingTasks();
      channel.runPendingTasks();
      collectWritten();
    }
  }

  // Runs what is due, delivers what the client sent while usher reads, and checks.
  private void settle() {
    channel.runPendingTasks();
    collectWritten();
    while (!unread.isEmpty() && channel.isOpen() && channel.config().isAutoRead()) {
      byte[] bytes = unread.poll();
      if (bytes == END) {
        channel.shutdownInput();
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
      } else {
        if (!drained) {
          readBeforeTheDrain.writeBytes(bytes);
        }
        ByteBuf read = allocator.buffer(bytes.length);
        channel.writeInbound(read.writeBytes(bytes));
      }
      channel.runPendingTasks();
      collectWritten();
    }
    try {
      channel.checkException();
    } catch (Throwable reachedTheTail) {
      escaped.add(reachedTheTail);
    }
    check(escaped.isEmpty(), "an exception reached the pipeline's tail:\n" + stackTraces());
    // An error no handler dealt with is logged at WARN by the last resort (ConnectionErrorHandler).
    check(server.warnings().isEmpty(), "logged: " + server.warnings());
    int open = channel.isOpen() ? 1 : 0;
    check(
        server.openConnections() == open,
        "the open-connection count is "
            + server.openConnections()
            + ", the connection open: "
            + open);
  }

  private void collectWritten() {
    for (Object message = channel.readOutbound();
        message != null;
        message = channel.readOutbound()) {
      ByteBuf bytes = (ByteBuf) message;
      try {
        if (bytes.isReadable()) {
          check(
              writtenWhenOutputShut < 0,
              "written after the output was shut: \""
                  + Escaped.of(bytes.toString(StandardCharsets.ISO_8859_1))
                  + "\"");
          bytes.readBytes(written, bytes.readableBytes());
        }
      } catch (IOException impossible) {
        throw new UncheckedIOException(impossible);
      } finally {
        bytes.release();
      }
    }
    if (writtenWhenOutputShut < 0 && channel.isOutputShutdown()) {
      writtenWhenOutputShut = written.size();
    }
  }

  private String stackTraces() {
    StringWriter traces = new StringWriter();
    escaped.forEach(error -> error.printStackTrace(new PrintWriter(traces)));
    return traces.toString();
  }
}
