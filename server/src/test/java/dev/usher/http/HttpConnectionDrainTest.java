package dev.usher.http;

import static dev.usher.http.HttpConnectionRulesTest.statuses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The drain and the order of answers: a draining connection answers what it has, the last answer
 * with {@code Connection: close}, and closes; answers go out in the order of the requests, whatever
 * order the service gives them in.
 */
class HttpConnectionDrainTest {
  private static final String HOST = "Host: usher\r\n";
  private static final String GET = "GET / HTTP/1.1\r\n" + HOST + "\r\n";

  @Test
  void aConnectionThatHasSentNothingYetHasItsFirstRequestAnsweredWithConnectionClose() {
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open()) {
      connection.drain().advance(Duration.ofMillis(900));
      assertTrue(connection.isOpen(), "its request may be on the way");

      String sent = connection.send(GET).sent();
      assertEquals(List.of(200), statuses(sent));
      assertTrue(sent.contains("connection: close"), sent);
      assertFalse(connection.isOpen());
    }
  }

  @Test
  void aConnectionThatSendsNothingClosesOnceTheFirstRequestGraceIsOver() {
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open()) {
      connection.drain().advance(Duration.ofMillis(990));
      assertTrue(connection.isOpen());
      connection.advance(Duration.ofMillis(20));
      assertFalse(connection.isOpen());
    }
  }

  @Test
  void anIdleKeepAliveConnectionClosesAtOnce() {
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open()) {
      assertEquals(List.of(200), statuses(connection.send(GET).sent()));
      connection.drain();
      assertFalse(connection.isOpen());
    }
  }

  @Test
  void aRequestInFlightIsAnsweredWithConnectionCloseThenTheConnectionCloses() {
    HeldService service = new HeldService();
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open(service)) {
      connection.send(GET).drain();
      assertTrue(connection.isOpen(), "closed over a request in flight");

      service.answer(0);
      String sent = connection.sent();
      assertEquals(List.of(200), statuses(sent));
      assertTrue(sent.contains("connection: close"), sent);
      assertFalse(connection.isOpen());
    }
  }

  @Test
  void aRequestHalfArrivedIsAnsweredOnceWhole() {
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open()) {
      connection.send("GET / HTTP/1.1\r\n").drain();
      assertTrue(connection.isOpen(), "closed over a request arriving");

      String sent = connection.send(HOST + "\r\n").sent();
      assertEquals(List.of(200), statuses(sent));
      assertTrue(sent.contains("connection: close"), sent);
      assertFalse(connection.isOpen());
    }
  }

  @Test
  void pipelinedRequestsAreAllAnsweredTheLastWithConnectionClose() {
    HeldService service = new HeldService();
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open(service)) {
      connection.send(GET + GET + GET).drain();
      service.answer(0);
      service.answer(1);
      assertTrue(connection.isOpen());
      service.answer(2);

      String sent = connection.sent();
      assertEquals(List.of(200, 200, 200), statuses(sent));
      assertEquals(sent.indexOf("connection: close"), sent.lastIndexOf("connection: close"), sent);
      assertTrue(sent.lastIndexOf("connection: close") > sent.lastIndexOf("HTTP/1.1 200"), sent);
      assertFalse(connection.isOpen());
    }
  }

  @Test
  void aLingeringConnectionClosesAtOnce() {
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open()) {
      connection.send("garbage\r\n\r\n");
      assertTrue(connection.lingers());
      connection.drain();
      assertFalse(connection.isOpen());
    }
  }

  @Test
  void answersGoOutInTheOrderOfTheRequests() {
    HeldService service = new HeldService();
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open(service)) {
      connection.send(
          "GET /first HTTP/1.1\r\n" + HOST + "\r\nGET /second HTTP/1.1\r\n" + HOST + "\r\n");
      service.answer(1);
      assertEquals("", connection.sent(), "the second answer went out before the first");

      service.answer(0);
      String sent = connection.sent();
      assertTrue(sent.indexOf("/first") < sent.indexOf("/second"), sent);
      assertEquals(List.of(200, 200), statuses(sent));
    }
  }

  @Test
  void aServiceThatAnswersTwiceIsTold() {
    HttpService twice =
        (request, exchange) -> {
          exchange.respond(HttpResponses.status(io.netty.handler.codec.http.HttpResponseStatus.OK));
          exchange.respond(HttpResponses.status(io.netty.handler.codec.http.HttpResponseStatus.OK));
        };
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open(twice)) {
      // The second answer throws into the service, which usher logs; the first stands.
      assertEquals(List.of(200), statuses(connection.send(GET).sent()));
      assertTrue(connection.isOpen());
    }
  }

  @Test
  void aServiceThatFailsGets500AndTheConnectionIsKept() {
    HttpService failing =
        (request, exchange) -> {
          throw new IllegalStateException("the service's own bug");
        };
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open(failing)) {
      assertEquals(List.of(500), statuses(connection.send(GET).sent()));
      assertTrue(connection.isOpen());
    }
  }
}
