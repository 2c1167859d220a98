package dev.usher.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import dev.usher.http.ConformanceRows;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the fuzzer builds a client's bytes from: the conformance table's rows (valid and invalid
 * requests, with the RFC rule each tests) and a few more valid requests as seeds, requests put
 * together from parts, and the edits that turn them into the inputs a parser gets wrong: bytes
 * inserted, deleted and replaced, line ends and whitespace where they do not belong, NULs,
 * obs-fold, huge lengths and chunk sizes, requests repeated (pipelining) and cut short.
 */
final class RequestCorpus {
  private static final String HOST = "Host: usher\r\n";

  /** Valid requests the table does not already send. */
  private static final List<String> MORE_SEEDS =
      List.of(
          "HEAD / HTTP/1.1\r\n" + HOST + "\r\n",
          "HEAD /missing HTTP/1.1\r\n" + HOST + "\r\n",
          "OPTIONS * HTTP/1.1\r\n" + HOST + "\r\n",
          "GET /?q=1&r=%20 HTTP/1.1\r\n" + HOST + "\r\n",
          "POST /echo HTTP/1.1\r\n"
              + HOST
              + "Content-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world",
          "POST /echo HTTP/1.1\r\n"
              + HOST
              + "Transfer-Encoding: chunked\r\n\r\n3;name=value\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n",
          "POST /echo HTTP/1.1\r\n" + HOST + "Expect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
          "GET / HTTP/1.1\r\n" + HOST + "\r\nHEAD / HTTP/1.1\r\n" + HOST + "\r\n",
          "POST /echo HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nhi",
          // Found by fuzzing: an obs-fold of nothing leaves a space at the end of the value, which
          // the echo sends back as its Content-Type (allowed: whitespace may end a field line).
          "POST /echo HTTP/1.1\r\n"
              + HOST
              + "Content-Type: text/plain\r\n\t\r\nContent-Length: 2\r\n\r\nhi",
          "\r\n\r\nGET / HTTP/1.1\r\n" + HOST + "\r\n");

  private static final List<String> METHODS =
      List.of(
          "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "CONNECT", "TRACE", "get", "G\u00e9T");
  private static final List<String> TARGETS =
      List.of(
          "/",
          "/echo",
          "/missing",
          "*",
          "http://usher/",
          "http://usher:80/echo?x=1",
          "/?a=b",
          "/%zz",
          "/%",
          "//",
          "usher:80",
          "/echo#frag",
          "/\u00ff",
          "");
  private static final List<String> VERSIONS =
      List.of("HTTP/1.1", "HTTP/1.0", "HTTP/1.2", "HTTP/2.0", "HTTP/0.9", "HTTP/1.1 ", "http/1.1");
  private static final List<String> HEADERS =
      List.of(
          HOST,
          "Host: \r\n",
          "Host: us/her\r\n",
          "Connection: close\r\n",
          "Connection: keep-alive\r\n",
          "Connection: keep-alive, close\r\n",
          "Expect: 100-continue\r\n",
          "Expect: 100-Continue\r\n",
          "Content-Type: text/plain\r\n",
          "Transfer-Encoding: chunked\r\n",
          "Transfer-Encoding: gzip\r\n",
          "Transfer-Encoding: chunked, chunked\r\n",
          "Content-Length: 0\r\n",
          "Content-Length: 5\r\n",
          "Content-Length: 1025\r\n",
          "Content-Length: 5, 5\r\n",
          "X-Folded: a\r\n b\r\n",
          "X-Empty:\r\n",
          " X-Leading-Space: x\r\n",
          "X-Trailing-Space : x\r\n");

  /** Inserted whole: line ends, whitespace and bytes a request may not hold where they land. */
  private static final List<String> SPECIAL_BYTES =
      List.of(
          "\r",
          "\n",
          "\r\n",
          "\r\n\r\n",
          "\u0000",
          " ",
          "\t",
          "\r\n ",
          "\r\n\t",
          ":",
          ";",
          "\"",
          ",",
          "\u0085",
          "\u00ff",
          "\u007f",
          "\r\r\n",
          "\n\n",
          "\u000b",
          "\u000c");

  /** Inserted whole: header lines and protocol words. */
  private static final List<String> TOKENS =
      List.of(
          "Content-Length: ",
          "Transfer-Encoding: chunked\r\n",
          "Transfer-Encoding: ",
          "chunked",
          "Connection: close\r\n",
          "Connection: keep-alive\r\n",
          "Expect: 100-continue\r\n",
          HOST,
          "Host: ",
          "HTTP/1.0",
          "HTTP/1.1",
          "HEAD ",
          "POST /echo ",
          "GET / HTTP/1.1\r\n" + HOST + "\r\n",
          "0\r\n\r\n",
          "\r\n0\r\n\r\n",
          "1;ext=\"v\"\r\nx\r\n");

  /** Numbers put where a length or a chunk size was: huge, negative, signed, hex, padded. */
  private static final List<String> NUMBERS =
      List.of(
          "0",
          "1",
          "1024",
          "1025",
          "2147483647",
          "2147483648",
          "4294967296",
          "9223372036854775807",
          "9223372036854775808",
          "18446744073709551616",
          "99999999999999999999999",
          "-1",
          "+5",
          "0x10",
          "ffffffff",
          "fffffffffffffffff",
          "00000000000000000000005",
          " 5",
          "5 5",
          "5,5",
          "1e3",
          "");

  private final List<byte[]> seeds;

  private RequestCorpus(List<byte[]> seeds) {
    this.seeds = seeds;
  }

  /** The table's rows, then the valid requests it lacks. */
  static RequestCorpus fromConformanceTable() {
    List<byte[]> seeds = new ArrayList<>();
    for (ConformanceRows.Row row : ConformanceRows.read()) {
      seeds.add(bytes(row.sent()));
    }
    MORE_SEEDS.forEach(seed -> seeds.add(bytes(seed)));
    return new RequestCorpus(List.copyOf(seeds));
  }

  List<byte[]> seeds() {
    return seeds;
  }

  /** What a client sends: one to four pieces, then up to eight edits. */
  byte[] bytesFrom(FuzzedDataProvider data) {
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    int pieces = data.consumeInt(1, 4);
    for (int i = 0; i < pieces; i++) {
      sent.writeBytes(
          switch (data.consumeInt(0, 3)) {
            case 0, 1 -> seeds.get(data.consumeInt(0, seeds.size() - 1));
            case 2 -> bytes(request(data));
            default -> data.consumeBytes(data.consumeInt(0, 512));
          });
    }
    byte[] bytes = sent.toByteArray();
    int edits = data.consumeInt(0, 8);
    for (int i = 0; i < edits; i++) {
      bytes = edit(bytes, data);
    }
    return bytes;
  }

  /** A request put together from parts, most of them valid. */
  private static String request(FuzzedDataProvider data) {
    StringBuilder request =
        new StringBuilder()
            .append(data.pickValue(METHODS))
            .append(' ')
            .append(data.pickValue(TARGETS))
            .append(' ')
            .append(data.pickValue(VERSIONS))
            .append("\r\n");
    int headers = data.consumeInt(0, 4);
    for (int i = 0; i < headers; i++) {
      request.append(data.pickValue(HEADERS));
    }
    switch (data.consumeInt(0, 2)) {
      case 0 -> request.append("\r\n");
      case 1 -> {
        String body = "x".repeat(data.consumeInt(0, 1100));
        request.append("Content-Length: ").append(body.length()).append("\r\n\r\n").append(body);
      }
      default -> {
        request.append("Transfer-Encoding: chunked\r\n\r\n");
        int chunks = data.consumeInt(0, 3);
        for (int i = 0; i < chunks; i++) {
          int size = data.consumeInt(1, 600);
          request.append(Integer.toHexString(size)).append("\r\n").append("c".repeat(size));
          request.append("\r\n");
        }
        request.append("0\r\n\r\n");
      }
    }
    return request.toString();
  }

  private static byte[] edit(byte[] bytes, FuzzedDataProvider data) {
    int at = data.consumeInt(0, bytes.length);
    return switch (data.consumeInt(0, 9)) {
      case 0 -> insert(bytes, at, bytes(data.pickValue(SPECIAL_BYTES)));
      case 1 -> insert(bytes, at, bytes(data.pickValue(TOKENS)));
      case 2 -> delete(bytes, at, data.consumeInt(1, 16));
      case 3 -> {
        byte[] replaced = bytes.clone();
        if (at < replaced.length) {
          replaced[at] = data.consumeByte();
        }
        yield replaced;
      }
      case 4 -> {
        // Pipelining: a stretch of the bytes again, at the end.
        int length = data.consumeInt(0, bytes.length - at);
        byte[] repeated = new byte[bytes.length + length];
        System.arraycopy(bytes, 0, repeated, 0, bytes.length);
        System.arraycopy(bytes, at, repeated, bytes.length, length);
        yield repeated;
      }
      case 5 -> Arrays.copyOf(bytes, at);
      case 6 -> replaceNumber(bytes, at, data.pickValue(NUMBERS));
      case 7 -> flipCase(bytes, at, data.consumeInt(1, 16));
      case 8 -> insert(bytes, at, data.consumeBytes(data.consumeInt(1, 16)));
      default -> {
        // A long run of one byte: a header line, a target or a chunk size over its limit.
        byte[] run = new byte[data.consumeInt(1, 1100)];
        Arrays.fill(run, at < bytes.length ? bytes[at] : (byte) 'a');
        yield insert(bytes, at, run);
      }
    };
  }

  private static byte[] insert(byte[] bytes, int at, byte[] inserted) {
    byte[] result = new byte[bytes.length + inserted.length];
    System.arraycopy(bytes, 0, result, 0, at);
    System.arraycopy(inserted, 0, result, at, inserted.length);
    System.arraycopy(bytes, at, result, at + inserted.length, bytes.length - at);
    return result;
  }

  private static byte[] delete(byte[] bytes, int at, int length) {
    int end = Math.min(bytes.length, at + length);
    byte[] result = new byte[bytes.length - (end - at)];
    System.arraycopy(bytes, 0, result, 0, at);
    System.arraycopy(bytes, end, result, at, bytes.length - end);
    return result;
  }

  // The first run of digits at or after 'at' (a Content-Length, a chunk size) becomes 'number'.
  private static byte[] replaceNumber(byte[] bytes, int at, String number) {
    int start = at;
    while (start < bytes.length && !isHexDigit(bytes[start])) {
      start++;
    }
    int end = start;
    while (end < bytes.length && isHexDigit(bytes[end])) {
      end++;
    }
    return insert(delete(bytes, start, end - start), start, bytes(number));
  }

  private static boolean isHexDigit(byte b) {
    return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
  }

  private static byte[] flipCase(byte[] bytes, int at, int length) {
    byte[] flipped = bytes.clone();
    for (int i = at; i < Math.min(flipped.length, at + length); i++) {
      byte b = flipped[i];
      if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')) {
        flipped[i] = (byte) (b ^ 0x20);
      }
    }
    return flipped;
  }

  private static byte[] bytes(String oneCharPerByte) {
    return oneCharPerByte.getBytes(StandardCharsets.ISO_8859_1);
  }
}
