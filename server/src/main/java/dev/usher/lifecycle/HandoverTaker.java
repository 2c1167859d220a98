package dev.usher.lifecycle;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketReadMode;
import io.netty.channel.unix.FileDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The taking side of the listener hand-over: connects to the serving usher at {@code
 * lifecycle.handover-path}, receives its listening sockets, and once this process accepts on them
 * says so and waits for the giver to let go. Closing the connection before {@link #ready} leaves
 * the giver serving.
 */
final class HandoverTaker {
  private static final Logger log = LoggerFactory.getLogger(HandoverTaker.class);

  /** What the giver handed over: its pid, and the sockets by name with their descriptors. */
  record Received(long giverPid, List<String> names, List<FileDescriptor> descriptors) {}

  private final Path path;
  private final Channel channel;
  private final Session session;
  private final long startedNanos;

  private HandoverTaker(Path path, Channel channel, Session session, long startedNanos) {
    this.path = path;
    this.channel = channel;
    this.session = session;
    this.startedNanos = startedNanos;
  }

  /**
   * Connects to the usher serving at {@code path}; empty when none serves there (no socket file, or
   * a stale one nobody listens on).
   */
  static Optional<HandoverTaker> connect(Path path, EventLoopGroup loop, Duration timeout)
      throws StartupException, InterruptedException {
    if (!Files.exists(path)) {
      log.info("hand-over: no usher serves at {}; binding the listeners", path);
      return Optional.empty();
    }
    long started = System.nanoTime();
    Session session = new Session();
    ChannelFuture connected =
        new Bootstrap()
            .group(loop)
            .channel(EpollDomainSocketChannel.class)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel channel) {
                    HandoverProtocol.addLineCodec(channel.pipeline());
                    channel.pipeline().addLast(session);
                  }
                })
            .connect(new DomainSocketAddress(path.toFile()));
    if (!connected.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      connected.channel().close();
      throw new StartupException(
          "hand-over: connecting to the usher at lifecycle.handover-path = "
              + path
              + " timed out after "
              + timeout.toMillis()
              + " ms",
          null);
    }
    if (!connected.isSuccess()) {
      String why = String.valueOf(connected.cause().getMessage());
      if (why.contains("Connection refused")) {
        log.info(
            "hand-over: no usher listens at {} (a stale socket file); binding the listeners", path);
        return Optional.empty();
      }
      throw new StartupException(
          "hand-over: cannot connect to the usher at lifecycle.handover-path = "
              + path
              + ": "
              + why,
          connected.cause());
    }
    return Optional.of(new HandoverTaker(path, connected.channel(), session, started));
  }

  /** Waits for the giver's sockets; fails the start when they do not come in time. */
  Received receive(Duration timeout) throws StartupException, InterruptedException {
    try {
      Received received = session.received.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      log.info(
          "hand-over: received the listening sockets {} from pid {}",
          received.names(),
          received.giverPid());
      return received;
    } catch (TimeoutException notInTime) {
      abandon();
      throw new StartupException(
          "hand-over: the usher at lifecycle.handover-path = "
              + path
              + " did not hand over its sockets within "
              + timeout.toMillis()
              + " ms; it serves on",
          notInTime);
    } catch (ExecutionException failed) {
      abandon();
      throw new StartupException(
          "hand-over: the usher at lifecycle.handover-path = "
              + path
              + " did not hand over its sockets: "
              + failed.getCause().getMessage()
              + "; it serves on (see its log)",
          failed.getCause());
    }
  }

  /**
   * Tells the giver that this process accepts on the sockets, and waits (bounded) until it has
   * stopped accepting and removed its socket file.
   *
   * @return whether the giver confirmed; if not, it went away, and this process serves alone anyway
   */
  boolean ready(Duration timeout) throws InterruptedException {
    channel.writeAndFlush(HandoverProtocol.READY + "\n");
    try {
      session.released.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException | TimeoutException notReleased) {
      log.warn(
          "hand-over: pid {} did not confirm its release within {} ms ({}); serving regardless",
          session.giverPid,
          timeout.toMillis(),
          notReleased.getCause() == null ? notReleased : notReleased.getCause().getMessage());
      return false;
    } finally {
      channel.close().await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** The giver, as a mismatch names it: a hand-over keeps the sockets as they are. */
  AdoptedListeners.Origin origin() {
    String where =
        "the usher handing over at lifecycle.handover-path = "
            + path
            + " (pid "
            + session.giverPid
            + ")";
    return new AdoptedListeners.Origin() {
      @Override
      public String where() {
        return where;
      }

      @Override
      public String keepsAddress(String key, String socketValue) {
        return "a hand-over keeps the address, so set "
            + key
            + " to "
            + socketValue
            + ", or stop that usher first";
      }

      @Override
      public String keepsAcceptMode() {
        return "a hand-over keeps the sockets, so start this usher with the same"
            + " server.accept-mode and server.worker-threads, or stop that one first";
      }

      @Override
      public boolean socketsAreConfiguration() {
        return false;
      }
    };
  }

  /** Since the connect: the taker's share of the hand-over. */
  Duration elapsed() {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }

  long giverPid() {
    return session.giverPid;
  }

  /** Goes away before being ready: the giver serves on. */
  void abandon() throws InterruptedException {
    channel.close().await(5, TimeUnit.SECONDS);
  }

  /** The conversation, on the connection's loop. */
  private static final class Session extends SimpleChannelInboundHandler<Object> {
    final CompletableFuture<Received> received = new CompletableFuture<>();
    final CompletableFuture<Void> released = new CompletableFuture<>();
    private final List<FileDescriptor> descriptors = new ArrayList<>();
    private List<String> names = List.of();
    private volatile long giverPid;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object message) {
      EpollDomainSocketChannel channel = (EpollDomainSocketChannel) ctx.channel();
      if (message instanceof FileDescriptor descriptor && !received.isDone()) {
        descriptors.add(descriptor);
        if (descriptors.size() == names.size()) {
          // Back to bytes: the giver sends "released" only after "ready", so no descriptor follows.
          channel.config().setReadMode(DomainSocketReadMode.BYTES);
          received.complete(new Received(giverPid, names, List.copyOf(descriptors)));
        }
      } else if (message instanceof String line && names.isEmpty() && !received.isDone()) {
        Optional<HandoverProtocol.Offer> offer = HandoverProtocol.Offer.parse(line);
        if (offer.isEmpty()) {
          received.completeExceptionally(
              new IllegalStateException("it answered \"" + line + "\", not a hand-over offer"));
          ctx.close();
          return;
        }
        giverPid = offer.get().pid();
        names = offer.get().sockets();
        // A byte read that meets a descriptor drops it: switch before asking for them.
        channel.config().setReadMode(DomainSocketReadMode.FILE_DESCRIPTORS);
        ctx.writeAndFlush(HandoverProtocol.SEND + "\n");
      } else if (HandoverProtocol.RELEASED.equals(message) && received.isDone()) {
        released.complete(null);
      } else {
        received.completeExceptionally(new IllegalStateException("unexpected message " + message));
        ctx.close();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      IllegalStateException closed = new IllegalStateException("it closed the connection");
      received.completeExceptionally(closed);
      released.completeExceptionally(closed);
      if (!received.isCompletedExceptionally()) {
        return;
      }
      // Descriptors of an incomplete hand-over: this process will not use them.
      for (FileDescriptor descriptor : descriptors) {
        try {
          descriptor.close();
        } catch (java.io.IOException cannotClose) {
          // Only this process's copy, in a process about to exit; the giver's stays open.
          log.debug("closing a received descriptor failed", cannotClose);
        }
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      received.completeExceptionally(cause);
      ctx.close();
    }
  }
}
