package dev.usher.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What happens to one connection, in order: the client's bytes split into reads at arbitrary
 * points, time passing (the idle timeout, the request deadline, the linger), the client's
 * half-close, the server's drain and, for a client that does not read its answers, its reads at any
 * point between them; then the client reads what is left and closes. A client that does not read
 * meets a small write buffer, so that usher's backpressure pauses reading.
 */
record ConnectionScript(boolean slowReader, List<Step> steps) {
  private static final int MAX_ADVANCE_MILLIS = 75_000;

  /** One thing that happens to the connection. */
  sealed interface Step {}

  /** The client's bytes arrive, in one read. */
  record Send(byte[] bytes) implements Step {
    @Override
    public String toString() {
      return "send \"" + Escaped.of(bytes) + "\"";
    }
  }

  /** Time passes. */
  record Advance(Duration time) implements Step {
    @Override
    public String toString() {
      return "advance " + time.toMillis() + " ms";
    }
  }

  /** The client shuts its output: it sends nothing more. */
  record HalfClose() implements Step {
    @Override
    public String toString() {
      return "half-close";
    }
  }

  /** A client that does not read its answers reads what has been sent so far. */
  record Read() implements Step {
    @Override
    public String toString() {
      return "read";
    }
  }

  /** The server starts draining. */
  record Drain() implements Step {
    @Override
    public String toString() {
      return "drain";
    }
  }

  /** {@code bytes} in reads of the sizes the fuzzer picks, with events between them. */
  static ConnectionScript from(FuzzedDataProvider data, byte[] bytes) {
    boolean slowReader = data.consumeBoolean();
    List<Step> steps = new ArrayList<>();
    int sent = 0;
    while (sent < bytes.length) {
      if (data.remainingBytes() == 0) {
        steps.add(new Send(Arrays.copyOfRange(bytes, sent, bytes.length)));
        break;
      }
      int read =
          switch (data.consumeInt(0, 9)) {
            case 0, 1, 2, 3, 4 -> data.consumeInt(1, bytes.length - sent);
            case 5 -> 1;
            case 6 -> {
              steps.add(event(data));
              yield 0;
            }
            default -> bytes.length - sent;
          };
      if (read > 0) {
        steps.add(new Send(Arrays.copyOfRange(bytes, sent, sent + read)));
        sent += read;
      }
    }
    int after = data.consumeInt(0, 3);
    for (int i = 0; i < after; i++) {
      steps.add(event(data));
    }
    return new ConnectionScript(slowReader, List.copyOf(steps));
  }

  /** The whole of {@code bytes} in one read, then the client closes. */
  static ConnectionScript oneRead(byte[] bytes) {
    return new ConnectionScript(false, List.of(new Send(bytes)));
  }

  /** The whole of {@code bytes} in one read, from a client that reads its answers only then. */
  static ConnectionScript oneReadReadingLate(byte[] bytes) {
    return new ConnectionScript(true, List.of(new Send(bytes)));
  }

  /** {@code bytes} a byte per read. */
  static ConnectionScript byteByByte(byte[] bytes) {
    List<Step> steps = new ArrayList<>();
    for (byte b : bytes) {
      steps.add(new Send(new byte[] {b}));
    }
    return new ConnectionScript(false, List.copyOf(steps));
  }

  private static Step event(FuzzedDataProvider data) {
    return switch (data.consumeInt(0, 3)) {
      case 0 -> new Advance(Duration.ofMillis(data.consumeInt(0, MAX_ADVANCE_MILLIS)));
      case 1 -> new HalfClose();
      case 2 -> new Drain();
      default -> new Read();
    };
  }

  /** Whether nothing but the client's bytes (and its reads) happens: no time, half-close, drain. */
  boolean onlySends() {
    return steps.stream().allMatch(step -> step instanceof Send || step instanceof Read);
  }

  /** Whether time passes, which may end the connection (the idle timeout, the request deadline). */
  boolean timePasses() {
    return steps.stream().anyMatch(step -> step instanceof Advance);
  }

  @Override
  public String toString() {
    return (slowReader ? "slow reader; " : "")
        + steps.stream().map(Step::toString).collect(Collectors.joining("; "));
  }
}
