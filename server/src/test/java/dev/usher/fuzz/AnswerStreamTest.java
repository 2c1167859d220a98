package dev.usher.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fuzzer's reading of usher's answers: it takes what is well-formed and catches what is not.
 */
class AnswerStreamTest {
  private static final String DATE = "date: Wed, 02 Dec 2026 17:00:00 GMT\r\n";
  private static final String OK =
      "HTTP/1.1 200 OK\r\ncontent-length: 17\r\n" + DATE + "\r\nhello from usher\n";
  private static final String BAD_REQUEST =
      "HTTP/1.1 400 Bad Request\r\ncontent-length: 16\r\n"
          + DATE
          + "connection: close\r\n\r\n400 Bad Request\n";

  @Test
  void readsAnswersInterimAnswersAndARefusalAtTheEnd() {
    List<AnswerStream.Answer> answers =
        read(
            "HTTP/1.1 100 Continue\r\n\r\n" + OK + OK + BAD_REQUEST,
            List.of(HttpMethod.POST, HttpMethod.GET));
    assertEquals(3, answers.size());
    assertTrue(answers.getLast().announcesClose());
  }

  @Test
  void anAnswerToHeadHasNoBody() {
    String head = OK.substring(0, OK.indexOf("\r\n\r\n") + 4);
    assertEquals(2, read(head + OK, List.of(HttpMethod.HEAD, HttpMethod.GET)).size());
  }

  @Test
  void takesObsTextAndWhitespaceAroundAHeaderValue() {
    String reflected = OK.replace(DATE, DATE + "content-type: \u00fctext/plain \r\n");
    assertEquals(1, read(reflected, List.of(HttpMethod.POST)).size());
    assertFails(
        OK.replace(DATE, DATE + "content-type: text\u0001plain\r\n"),
        List.of(HttpMethod.POST),
        "not a header line");
  }

  @Test
  void catchesAnAnswerAfterConnectionClose() {
    assertFails(BAD_REQUEST + OK, List.of(), "an answer after Connection: close");
  }

  @Test
  void catchesABodyShorterThanItsContentLength() {
    assertFails(OK.substring(0, OK.length() - 1), List.of(HttpMethod.GET), "a body of 16 bytes");
  }

  @Test
  void catchesARefusalThatKeepsTheConnection() {
    assertFails(
        BAD_REQUEST.replace("connection: close\r\n", ""),
        List.of(),
        "a refusal without Connection: close");
  }

  @Test
  void catchesAnAnswerToNoRequestThatIsNotARefusal() {
    assertFails(OK, List.of(), "not a refusal");
  }

  @Test
  void catchesAMissingDateAndABareLineFeed() {
    assertFails(OK.replace(DATE, ""), List.of(HttpMethod.GET), "not one Date");
    assertFails(OK.replace("OK\r\n", "OK\n"), List.of(HttpMethod.GET), "a bare CR or LF");
  }

  private static List<AnswerStream.Answer> read(String wire, List<HttpMethod> served) {
    return AnswerStream.read(wire.getBytes(StandardCharsets.ISO_8859_1), served, "test");
  }

  private static void assertFails(String wire, List<HttpMethod> served, String because) {
    AssertionError error = assertThrows(AssertionError.class, () -> read(wire, served));
    assertTrue(error.getMessage().contains(because), error.getMessage());
  }
}
