package dev.usher.accept;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.usher.testing.RunningServer;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A client that sends its request and then shuts down its sending side ({@code shutdown(SHUT_WR)},
 * what {@code nc -N} or an HTTP/1.0 client may do) still gets the whole answer, and then the server
 * closes: on every transport, since each one handles the client's FIN its own way.
 */
class HalfClosedConnectionTest {
  // Losing the answer was a race on io_uring: one attempt could get lucky, ten in a row do not.
  private static final int ATTEMPTS = 10;

  static Stream<Arguments> transportsAndProtocols() {
    return Stream.of("nio", "epoll", "io_uring")
        .flatMap(
            transport ->
                Stream.of(Arguments.of(transport, "http"), Arguments.of(transport, "echo")));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("transportsAndProtocols")
  void answersAClientThatHalfClosesAfterItsRequestAndThenCloses(String transport, String protocol)
      throws Exception {
    assumeTrue(available(transport), transport + " is not available on this host");
    String request = "GET / HTTP/1.1\r\nHost: usher\r\n\r\n";
    String expected = protocol.equals("echo") ? request : "hello from usher\n";
    try (RunningServer server =
        RunningServer.start(Map.of("server.transport", transport, "server.protocol", protocol))) {
      for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        try (Socket socket = new Socket()) {
          socket.setSoTimeout(10_000);
          socket.connect(server.address(), 5_000);
          socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
          socket.shutdownOutput();

          // readAllBytes returns at the server's close: a missing close fails by timeout.
          String answer =
              new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
          assertEquals(
              expected,
              protocol.equals("echo") ? answer : body(answer),
              "attempt " + attempt + ": " + answer);
        }
      }
    }
  }

  private static String body(String response) {
    int end = response.indexOf("\r\n\r\n");
    return end < 0 ? response : response.substring(end + 4);
  }

  private static boolean available(String transport) {
    return switch (transport) {
      case "io_uring" -> IoUring.isAvailable();
      case "epoll" -> Epoll.isAvailable();
      default -> true;
    };
  }
}
