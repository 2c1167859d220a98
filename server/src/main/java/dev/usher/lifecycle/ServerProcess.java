package dev.usher.lifecycle;

import dev.usher.app.ApplicationFactory;
import dev.usher.app.ApplicationSetup;
import dev.usher.app.UsherApplication;
import dev.usher.config.KernelNetworkSettings;
import dev.usher.config.LoadedConfig;
import dev.usher.metrics.ServerMetrics;
import dev.usher.overload.Overload;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * usher as a process: logs the configuration warnings, starts the server, waits for SIGTERM or
 * SIGINT, drains, and returns the exit status.
 */
public final class ServerProcess {
  private static final Logger log = LoggerFactory.getLogger(ServerProcess.class);

  /** The exit status when the drain itself failed (logged): not the clean 0. */
  public static final int EXIT_DRAIN_FAILED = 1;

  private final LoadedConfig loaded;
  private final KernelNetworkSettings kernel;
  private final SocketActivation activation;

  /**
   * @param activation the sockets systemd passed, if any ({@link SocketActivation#none()} if not)
   */
  public ServerProcess(
      LoadedConfig loaded, KernelNetworkSettings kernel, SocketActivation activation) {
    this.loaded = loaded;
    this.kernel = kernel;
    this.activation = activation;
  }

  /**
   * Runs until a shutdown signal has been handled.
   *
   * @return 0 after a clean drain, {@link #EXIT_DRAIN_FAILED} when the drain failed
   * @throws StartupException when the server could not start; it has been logged as one line
   */
  public int runUntilShutdown(ApplicationFactory applications)
      throws StartupException, InterruptedException {
    loaded.warnings().forEach(warning -> log.warn("configuration: {}", warning));
    try (ServerMetrics metrics = new ServerMetrics()) {
      Overload overload = Overload.create(loaded.config(), metrics.registry());
      UsherApplication application =
          applications.create(
              loaded.config(), new ApplicationSetup(loaded.config(), metrics.registry(), overload));
      // Handlers go in before the server starts: a SIGTERM just after "accepting connections" (or
      // during the start) must drain, not meet the JVM's default handler and exit 143.
      CompletableFuture<UsherServer> started = new CompletableFuture<>();
      CountDownLatch stopped = new CountDownLatch(1);
      AtomicBoolean drainFailed = new AtomicBoolean();
      // A signal and a completed hand-over both end in one drain; whichever comes second finds it
      // begun.
      AtomicBoolean draining = new AtomicBoolean();
      Runnable drain =
          () -> {
            if (!draining.compareAndSet(false, true)) {
              return;
            }
            try {
              started.join().drainAndStop();
            } catch (CompletionException startFailed) {
              // Nothing to drain; the main thread reports the failure.
            } catch (InterruptedException interrupted) {
              Thread.currentThread().interrupt();
              drainFailed.set(true);
            } catch (Throwable failure) {
              log.error("the drain failed; exiting without finishing it", failure);
              drainFailed.set(true);
            } finally {
              stopped.countDown();
            }
          };
      new ShutdownSignals().install(drain);
      try {
        started.complete(
            UsherServer.start(
                loaded.config(),
                application,
                metrics,
                overload,
                kernel.somaxconn(),
                activation,
                takerPid -> Thread.ofPlatform().name("usher-drain").start(drain)));
      } catch (StartupException cannotStart) {
        started.completeExceptionally(cannotStart);
        log.error("usher cannot start: {}", cannotStart.getMessage());
        log.debug("start failure details", cannotStart);
        throw cannotStart;
      } catch (InterruptedException | RuntimeException | Error failure) {
        started.completeExceptionally(failure);
        throw failure;
      }
      QueuedConnectionsOnRestart.note(
              loaded.config().server().acceptMode(),
              kernel.tcpMigrateReq(),
              loaded.config().lifecycle().handoverPath().isPresent(),
              activation.passed())
          .ifPresent(log::info);
      stopped.await();
      return drainFailed.get() ? EXIT_DRAIN_FAILED : 0;
    }
  }
}
