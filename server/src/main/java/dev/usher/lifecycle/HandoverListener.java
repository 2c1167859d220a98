package dev.usher.lifecycle;

import dev.usher.metrics.HandoverMeters;
import dev.usher.metrics.HandoverMeters.Result;
import dev.usher.metrics.HandoverMeters.Role;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.PeerCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The giving side of the listener hand-over: a Unix socket at {@code lifecycle.handover-path} (mode
 * 0600) on which a new usher of the same uid asks for the listening sockets. It gets them ({@code
 * SCM_RIGHTS}), and once it says it accepts on them, this process stops accepting without closing
 * them, removes its socket file, answers {@code released} and drains. A peer of another uid is
 * refused; one that goes away before it is ready leaves this process serving as before. One
 * hand-over at a time.
 */
final class HandoverListener {
  private static final Logger log = LoggerFactory.getLogger(HandoverListener.class);
  private static final long BIND_TIMEOUT_SECONDS = 10;

  private final Path path;
  private final HandoverGiver giver;
  private final HandoverMeters meters;
  private final int uid;
  private final AtomicBoolean inProgress = new AtomicBoolean();
  private Channel channel;

  private HandoverListener(Path path, HandoverGiver giver, HandoverMeters meters, int uid) {
    this.path = path;
    this.giver = giver;
    this.meters = meters;
    this.uid = uid;
  }

  /**
   * Listens at {@code path}, replacing a socket file nobody listens on any more (the caller has
   * found none serving there, or been released by the one that was).
   */
  static HandoverListener listen(
      Path path, EventLoopGroup loop, HandoverGiver giver, HandoverMeters meters)
      throws StartupException, InterruptedException {
    HandoverListener listener = new HandoverListener(path, giver, meters, ProcessIdentity.uid());
    try {
      Files.deleteIfExists(path);
    } catch (IOException cannotDelete) {
      throw StartupException.badConfiguration(
          "invalid configuration: lifecycle.handover-path = "
              + path
              + ": cannot replace the stale socket file there: "
              + cannotDelete.getMessage(),
          cannotDelete);
    }
    ChannelFuture bound =
        new ServerBootstrap()
            .group(loop)
            .channel(EpollServerDomainSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel session) {
                    HandoverProtocol.addLineCodec(session.pipeline());
                    session.pipeline().addLast(listener.new Session());
                  }
                })
            .bind(new DomainSocketAddress(path.toFile()));
    if (!bound.await(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS) || !bound.isSuccess()) {
      bound.channel().close();
      Throwable cause = bound.cause();
      throw StartupException.badConfiguration(
          "invalid configuration: lifecycle.handover-path = "
              + path
              + ": cannot listen there: "
              + (cause == null ? "timed out" : cause.getMessage())
              + " (the directory must exist and be writable by this user)",
          cause);
    }
    listener.channel = bound.channel();
    try {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException cannotRestrict) {
      listener.close();
      throw new StartupException(
          "cannot restrict the hand-over socket " + path + " to mode 0600: " + cannotRestrict,
          cannotRestrict);
    }
    log.info(
        "hand-over: listening on {} (mode 0600, uid {}): a usher started with the same"
            + " lifecycle.handover-path takes over this one's listening sockets",
        path,
        listener.uid);
    return listener;
  }

  /** Stops listening and removes the socket file (Netty deletes it with the channel). */
  void close() throws InterruptedException {
    if (channel != null) {
      channel.close().await(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }

  private enum Phase {
    NEW,
    OFFERED,
    GIVEN,
    RELEASING,
    OVER
  }

  /** One taker's conversation, on the loop of the hand-over listener. */
  private final class Session extends SimpleChannelInboundHandler<String> {
    private Phase phase = Phase.NEW;
    private long pid;
    private long startedNanos;
    private boolean owner;
    private List<HandoverGiver.GivenSocket> sockets = List.of();

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws IOException {
      startedNanos = System.nanoTime();
      PeerCredentials peer = ((EpollDomainSocketChannel) ctx.channel()).peerCredentials();
      pid = peer.pid();
      if (peer.uid() != uid) {
        refuse(ctx, "its uid " + peer.uid() + " is not this process's uid " + uid);
        return;
      }
      if (!inProgress.compareAndSet(false, true)) {
        refuse(ctx, "another hand-over is in progress");
        return;
      }
      owner = true;
      Optional<List<HandoverGiver.GivenSocket>> offered = giver.socketsToGive();
      if (offered.isEmpty()) {
        refuse(ctx, "this usher is draining and no longer accepting");
        return;
      }
      sockets = offered.get();
      log.info("hand-over: pid {} asks for the listening sockets", pid);
      phase = Phase.OFFERED;
      HandoverProtocol.Offer offer =
          new HandoverProtocol.Offer(
              ProcessHandle.current().pid(),
              sockets.stream().map(HandoverGiver.GivenSocket::name).toList());
      ctx.writeAndFlush(offer.line() + "\n");
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, String line) {
      if (phase == Phase.OFFERED && line.equals(HandoverProtocol.SEND)) {
        phase = Phase.GIVEN;
        for (HandoverGiver.GivenSocket socket : sockets) {
          ctx.write(new FileDescriptor(socket.fd()));
        }
        ctx.flush();
        log.info(
            "hand-over: gave pid {} the listening sockets {}; accepting on them until it is ready",
            pid,
            sockets.stream()
                .map(socket -> socket.name() + " " + socket.endpoint())
                .collect(Collectors.joining(", ")));
      } else if (phase == Phase.GIVEN && line.equals(HandoverProtocol.READY)) {
        phase = Phase.RELEASING;
        // Stopping the listeners waits on event loops, this one among them: not on this loop.
        Thread.ofPlatform().name("usher-handover").start(() -> release(ctx));
      } else {
        refuse(ctx, "it sent \"" + line + "\" where the hand-over protocol expects another step");
      }
    }

    private void release(ChannelHandlerContext ctx) {
      try {
        giver.stopAcceptingForHandover();
        close();
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
      Duration took = Duration.ofNanos(System.nanoTime() - startedNanos);
      ctx.writeAndFlush(HandoverProtocol.RELEASED + "\n")
          .addListener(
              written -> {
                phase = Phase.OVER;
                meters.record(Role.GIVER, Result.COMPLETED, took);
                log.info(
                    "hand-over: pid {} accepts on the listening sockets now; this process stopped"
                        + " accepting (the kernel's queue stays with them) after {} ms, and drains",
                    pid,
                    took.toMillis());
                ctx.close();
                giver.handedOver(pid);
              });
    }

    private void refuse(ChannelHandlerContext ctx, String why) {
      phase = Phase.OVER;
      meters.record(Role.GIVER, Result.REFUSED, Duration.ZERO);
      log.warn("hand-over: refused pid {} on {}: {}; still serving", pid, path, why);
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (phase == Phase.OFFERED || phase == Phase.GIVEN) {
        phase = Phase.OVER;
        meters.record(Role.GIVER, Result.ABANDONED, Duration.ZERO);
        log.warn(
            "hand-over: pid {} went away before it was ready (see its log); this process serves"
                + " on, and its listening sockets are as they were",
            pid);
      }
      if (owner && phase != Phase.RELEASING) {
        inProgress.set(false);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.warn("hand-over: the conversation with pid {} failed: {}", pid, cause.toString());
      ctx.close();
    }
  }
}
