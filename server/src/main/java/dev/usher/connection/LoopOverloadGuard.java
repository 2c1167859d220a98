package dev.usher.connection;

import dev.usher.accept.Refusal;
import dev.usher.overload.Overload;
import io.micrometer.core.instrument.Counter;
import io.netty.channel.Channel;

/**
 * {@code server.overload.max-event-loop-lag} for new connections: one that lands on a worker loop
 * too far behind, and has itself waited longer than the limit ({@link
 * dev.usher.overload.LoopPressure}), is reset before it adds to the loop's work, and counted as
 * refused with reason {@code overloaded}. On the connection's own loop, as it is set up.
 */
public final class LoopOverloadGuard {
  /** Lets every connection in: for connections made outside a server. */
  public static final LoopOverloadGuard NONE = new LoopOverloadGuard(null, null);

  private final Overload overload;
  private final Counter refused;

  public LoopOverloadGuard(Overload overload, Counter refused) {
    this.overload = overload;
    this.refused = refused;
  }

  /** True when {@code connection} was refused. */
  boolean refused(Channel connection) {
    if (overload == null
        || !overload.pressureOf(connection.eventLoop()).refusesConnection(connection)) {
      return false;
    }
    refused.increment();
    Refusal.reset(connection);
    return true;
  }
}
