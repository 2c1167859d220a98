package dev.usher.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.usher.fuzz.AnswerStream.Answer;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Coverage-guided fuzzing (Jazzer) of the two sample pipelines as usher builds them, HTTP (the
 * {@code HttpConnection} in front of {@code HelloService}) and echo ({@code StreamConnection} in
 * front of {@code EchoApplication}'s handler), from the conformance table's requests and the edits
 * of {@link RequestCorpus}, in reads split anywhere, with time passing, half-closes and drains in
 * between ({@link ConnectionScript}). Whatever a client sends, {@link FuzzedConnection}'s
 * invariants hold (no exception escapes, no buffer leaks, the open-connection count returns to
 * zero) and:
 *
 * <ul>
 *   <li>HTTP: what usher writes is a sequence of well-formed HTTP/1.1 answers ({@link
 *       AnswerStream}), every request handed to the service is answered (unless time passing ended
 *       the connection before its client read the answers), nothing follows an answer with {@code
 *       Connection: close}, and the connection is closed or lingers exactly when its last answer
 *       said {@code Connection: close} (or, with time passing, a half-close or a drain, when one of
 *       those ended it);
 *   <li>echo: what comes back is exactly what was read before a drain (a beginning of it when time
 *       passing ended the connection before its client read it all).
 * </ul>
 *
 * <p>{@code ./mvnw test} runs the fuzz test on the inputs kept under {@code
 * src/test/resources/dev/usher/fuzz/PipelineFuzzTestInputs/connections/} (where Jazzer writes the
 * input of each crash it finds), and every seed whole and byte by byte; {@code ./mvnw verify}
 * fuzzes 40,000 inputs from a fixed seed (the failsafe execution {@code fuzz}); {@code
 * deploy/loadtest/fuzz.sh} fuzzes for as long as asked.
 */
class PipelineFuzzTest {
  private static final RequestCorpus CORPUS = RequestCorpus.fromConformanceTable();
  private static FuzzedServer http;
  private static FuzzedServer echo;

  @AfterAll
  static void stopServers() {
    if (http != null) {
      http.close();
      http = null;
    }
    if (echo != null) {
      echo.close();
      echo = null;
    }
  }

  /**
   * One connection, HTTP three times in four (its rules are many, echo's few): the client's bytes,
   * then how they arrive, then which pipeline; an input that runs out of bytes gets HTTP.
   */
  @FuzzTest(maxDuration = "30s")
  void connections(FuzzedDataProvider data) {
    byte[] bytes = CORPUS.bytesFrom(data);
    ConnectionScript script = ConnectionScript.from(data, bytes);
    if (data.consumeInt(0, 3) == 3) {
      playEcho(script);
    } else {
      playHttp(script);
    }
  }

  static Stream<Arguments> seeds() {
    List<byte[]> seeds = CORPUS.seeds();
    return IntStream.range(0, seeds.size())
        .mapToObj(i -> Arguments.of(i + ": " + shortened(Escaped.of(seeds.get(i))), seeds.get(i)));
  }

  private static String shortened(String name) {
    return name.length() <= 80 ? name : name.substring(0, 77) + "...";
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("seeds")
  void everySeedHoldsTheInvariantsInOneReadByteByByteAndToALateReader(String name, byte[] seed) {
    for (ConnectionScript script :
        List.of(
            ConnectionScript.oneRead(seed),
            ConnectionScript.byteByByte(seed),
            ConnectionScript.oneReadReadingLate(seed))) {
      playHttp(script);
      playEcho(script);
    }
  }

  private static void playHttp(ConnectionScript script) {
    if (http == null) {
      http = FuzzedServer.http();
    }
    FuzzedConnection connection = http.accept(script);
    connection.play();
    byte[] written = connection.written();
    List<Answer> answers = AnswerStream.read(written, http.served(), connection);
    long answeredServed = answers.stream().filter(Answer::toServedRequest).count();
    // Time passing may close a connection whose client reads nothing: its answers are dropped.
    connection.check(
        answeredServed == http.served().size() || script.timePasses(),
        http.served().size() + " requests handed to the service, " + answeredServed + " answered");
    boolean saidClose = !answers.isEmpty() && answers.getLast().announcesClose();
    boolean ended = !connection.isOpen() || connection.lingers();
    if (saidClose) {
      connection.check(ended, "open after Connection: close");
    } else if (script.onlySends()) {
      connection.check(!ended, "ended without Connection: close");
    }
    connection.clientCloses();
  }

  private static void playEcho(ConnectionScript script) {
    if (echo == null) {
      echo = FuzzedServer.echo();
    }
    FuzzedConnection connection = echo.accept(script);
    connection.play();
    byte[] read = connection.readBeforeTheDrain();
    byte[] written = connection.written();
    boolean echoed =
        script.timePasses()
            ? Arrays.equals(read, 0, written.length, written, 0, written.length)
            : Arrays.equals(read, written);
    connection.check(
        echoed,
        "echoed " + written.length + " bytes of the " + read.length + " read before any drain");
    if (script.onlySends()) {
      connection.check(connection.isOpen() && !connection.lingers(), "echo ended the connection");
    }
    connection.clientCloses();
  }
}
