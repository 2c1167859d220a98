package dev.usher.lifecycle;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT: the first starts the graceful drain; a second one, while the drain runs,
 * exits at once. A JVM shutdown hook cannot tell a second signal from the first, hence {@code
 * sun.misc.Signal} (module jdk.unsupported, supported for exactly this use).
 */
final class ShutdownSignals {
  private static final Logger log = LoggerFactory.getLogger(ShutdownSignals.class);
  private static final int SIGNAL_EXIT_BASE = 128;

  private final AtomicBoolean received = new AtomicBoolean();

  /** Installs the handlers; {@code onFirstSignal} runs on a thread of its own. */
  void install(Runnable onFirstSignal) {
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(
          new Signal(name),
          signal -> {
            if (received.compareAndSet(false, true)) {
              log.info(
                  "received SIG{}: draining (send it again to exit at once)", signal.getName());
              Thread.ofPlatform().name("usher-drain").start(onFirstSignal);
            } else {
              log.warn(
                  "received SIG{} again: exiting at once without finishing the drain",
                  signal.getName());
              Runtime.getRuntime().halt(SIGNAL_EXIT_BASE + signal.getNumber());
            }
          });
    }
  }
}
