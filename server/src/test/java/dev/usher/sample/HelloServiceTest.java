package dev.usher.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.usher.testing.RunningServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The sample service behind a real server, through the JDK's HTTP client. */
class HelloServiceTest {

  @Test
  void answersGetRootAndEchoesPostBodies() throws Exception {
    try (RunningServer server = RunningServer.start()) {
      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<String> hello =
          client.send(
              HttpRequest.newBuilder(server.uri("/")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, hello.statusCode());
      assertEquals("hello from usher\n", hello.body());

      HttpResponse<String> echo =
          client.send(
              HttpRequest.newBuilder(server.uri("/echo"))
                  .POST(HttpRequest.BodyPublishers.ofString("ping"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, echo.statusCode());
      assertEquals("ping", echo.body());
    }
  }
}
