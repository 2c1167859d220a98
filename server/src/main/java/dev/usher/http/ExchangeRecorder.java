package dev.usher.http;

/**
 * Where an HTTP connection records its exchanges: usher's meters, kept apart from the connection's
 * rules. One recorder serves every connection of one event loop and is only called from that loop.
 */
public interface ExchangeRecorder {
  /** A recorder that records nothing, for tests and benchmarks of the rules alone. */
  ExchangeRecorder NONE =
      new ExchangeRecorder() {
        @Override
        public void answered(int status) {}

        @Override
        public void requestTook(long nanos) {}
      };

  /** A final (not informational) answer with this status was written. */
  void answered(int status);

  /** A request took this long, from the read that brought it to the flush of its answer. */
  void requestTook(long nanos);

  /** Gives each event loop its recorder: called on the loop that will use it. */
  @FunctionalInterface
  interface PerLoop {
    PerLoop NONE = () -> ExchangeRecorder.NONE;

    ExchangeRecorder ofThisLoop();
  }
}
