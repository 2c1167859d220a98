package dev.usher.fuzz;

import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bytes usher wrote on one HTTP connection, read as the client would read them: a sequence of
 * well-formed HTTP/1.1 responses, each checked as it is read, or an {@link AssertionError} saying
 * where they stop being one.
 *
 * <ul>
 *   <li>A status line {@code HTTP/1.1 NNN reason}, header lines {@code name: value} (a token, then
 *       visible characters or obs-text between optional whitespace, RFC 9110 5.5 and RFC 9112 5),
 *       each ending CRLF, and an empty line.
 *   <li>An interim answer is {@code 100 Continue}, with no body.
 *   <li>A final answer has one {@code Date}, one {@code Content-Length} of digits (usher never
 *       chunks) and at most one {@code Connection} ({@code close} or {@code keep-alive}); its body
 *       is that many bytes, none for an answer to {@code HEAD}, for 204 and for 304.
 *   <li>Nothing follows an answer that says {@code Connection: close}.
 *   <li>usher's own refusals (400, 408, 413, 414, 417, 431, 501, 505) say {@code Connection:
 *       close}; an answer to a request the service was not handed is one of them.
 * </ul>
 */
final class AnswerStream {
  private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.1 ([1-5]\\d\\d) [ -~]+");
  private static final Pattern HEADER_LINE =
      Pattern.compile(
          "([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \\t]*"
              + "([!-~\\x80-\\xff]([ \\t!-~\\x80-\\xff]*[!-~\\x80-\\xff])?)?[ \\t]*");
  private static final Set<Integer> REFUSALS = Set.of(400, 408, 413, 414, 417, 431, 501, 505);

  /** One final answer. */
  record Answer(int status, Map<String, List<String>> headers, boolean toServedRequest) {
    boolean announcesClose() {
      List<String> connection = headers.get("connection");
      return connection != null && connection.getFirst().equalsIgnoreCase("close");
    }
  }

  private final byte[] wire;
  private final List<HttpMethod> served;
  private final Object connection;
  private int position;

  private AnswerStream(byte[] wire, List<HttpMethod> served, Object connection) {
    this.wire = wire;
    this.served = served;
    this.connection = connection;
  }

  /**
   * The final answers in {@code wire}.
   *
   * @param served the methods of the requests the service was handed, in order: its answers come
   *     first, in that order; an answer after them is usher's own
   * @param connection what a failure describes the connection with (its {@code toString})
   */
  static List<Answer> read(byte[] wire, List<HttpMethod> served, Object connection) {
    return new AnswerStream(wire, served, connection).answers();
  }

  private List<Answer> answers() {
    List<Answer> answers = new ArrayList<>();
    while (position < wire.length) {
      if (!answers.isEmpty()) {
        check(!answers.getLast().announcesClose(), "an answer after Connection: close");
      }
      int start = position;
      Matcher status = STATUS_LINE.matcher(line());
      check(status.matches(), "not a status line at byte " + start);
      int code = Integer.parseInt(status.group(1));
      Map<String, List<String>> headers = headers();
      if (code < 200) {
        check(code == 100, "an interim answer other than 100: " + code);
        check(headers.isEmpty(), "100 Continue with headers: " + headers);
        continue;
      }
      boolean toServed = answers.size() < served.size();
      HttpMethod method = toServed ? served.get(answers.size()) : null;
      Answer answer = new Answer(code, headers, toServed);
      checkFinal(answer, method);
      answers.add(answer);
    }
    return answers;
  }

  private void checkFinal(Answer answer, HttpMethod method) {
    Map<String, List<String>> headers = answer.headers();
    check(one(headers, "date"), "not one Date: " + headers);
    check(!headers.containsKey("transfer-encoding"), "usher chunked an answer: " + headers);
    List<String> connection = headers.get("connection");
    check(
        connection == null
            || (connection.size() == 1
                && Set.of("close", "keep-alive").contains(connection.getFirst())),
        "Connection neither close nor keep-alive: " + connection);
    if (REFUSALS.contains(answer.status())) {
      check(answer.announcesClose(), "a refusal without Connection: close: " + answer.status());
    }
    if (!answer.toServedRequest()) {
      check(
          REFUSALS.contains(answer.status()),
          "an answer to no request the service was handed is not a refusal: " + answer.status());
    }
    int status = answer.status();
    boolean bodiless = status == 204 || status == 304;
    long length = 0;
    if (!bodiless) {
      check(one(headers, "content-length"), "not one Content-Length: " + headers);
      String value = headers.get("content-length").getFirst();
      check(value.matches("\\d{1,10}"), "Content-Length not a number: " + value);
      length = Long.parseLong(value);
    }
    if (bodiless || HttpMethod.HEAD.equals(method)) {
      return;
    }
    long left = wire.length - position;
    if (method == null && left == 0) {
      // usher's refusal of a request it never handed on may answer HEAD: the headers alone.
      return;
    }
    check(left >= length, "a body of " + left + " bytes, " + length + " announced");
    position += (int) length;
  }

  private Map<String, List<String>> headers() {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String line = line(); !line.isEmpty(); line = line()) {
      Matcher header = HEADER_LINE.matcher(line);
      check(header.matches(), "not a header line: \"" + Escaped.of(line) + "\"");
      String value = header.group(2) == null ? "" : header.group(2);
      headers
          .computeIfAbsent(header.group(1).toLowerCase(Locale.ROOT), name -> new ArrayList<>())
          .add(value);
    }
    return headers;
  }

  // The next line, without its CRLF, which it must have; no bare CR or LF inside.
  private String line() {
    for (int i = position; i + 1 < wire.length; i++) {
      if (wire[i] == '\r' || wire[i] == '\n') {
        check(wire[i] == '\r' && wire[i + 1] == '\n', "a bare CR or LF at byte " + i);
        String line = new String(wire, position, i - position, StandardCharsets.ISO_8859_1);
        position = i + 2;
        return line;
      }
    }
    throw new AssertionError("an answer cut short at byte " + position + "\n" + connection);
  }

  private static boolean one(Map<String, List<String>> headers, String name) {
    List<String> values = headers.get(name);
    return values != null && values.size() == 1;
  }

  private void check(boolean holds, String what) {
    if (!holds) {
      throw new AssertionError(what + "\n" + connection);
    }
  }
}
