package dev.usher.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP/1.1 conformance rows of {@code deploy/conformance/http1.tsv}: the table usher's tests
 * and {@code conformance.py} (against any server) both run; the fuzz tests start from its bytes.
 */
public final class ConformanceRows {
  static final Path FILE = Path.of("..", "deploy", "conformance", "http1.tsv");
  private static final Pattern REPEAT = Pattern.compile("\\{(\\d+)\\*([^}]*)}");

  /** How the connection goes on after the answers. */
  public enum Then {
    /** Open, for the next request. */
    KEPT,
    /** Closed once the answers were written. */
    CLOSED,
    /** Output shut, reading and dropping what the client still sends (lingering close). */
    LINGERS
  }

  public record Row(String rule, String rfc, String sent, List<Integer> statuses, Then then) {
    @Override
    public String toString() {
      return rule + " (" + rfc + ")";
    }
  }

  private ConformanceRows() {}

  public static List<Row> read() {
    try {
      return Files.readAllLines(FILE).stream()
          .filter(line -> !line.isBlank() && !line.startsWith("#"))
          .map(ConformanceRows::row)
          .toList();
    } catch (IOException unreadable) {
      throw new UncheckedIOException(unreadable);
    }
  }

  private static Row row(String line) {
    String[] columns = line.split("\t", -1);
    if (columns.length != 5) {
      throw new IllegalArgumentException(FILE + ": 5 tab-separated columns expected: " + line);
    }
    List<Integer> statuses =
        columns[3].equals("-")
            ? List.of()
            : Arrays.stream(columns[3].split(",")).map(Integer::valueOf).toList();
    return new Row(
        columns[0],
        columns[1],
        unescape(columns[2]),
        statuses,
        Then.valueOf(columns[4].toUpperCase(java.util.Locale.ROOT)));
  }

  /** The bytes a row sends, one char per byte: \r \n \t \\ \xHH and {N*text}. */
  static String unescape(String escaped) {
    Matcher repeats = REPEAT.matcher(escaped);
    StringBuilder expanded = new StringBuilder();
    while (repeats.find()) {
      repeats.appendReplacement(
          expanded,
          Matcher.quoteReplacement(repeats.group(2).repeat(Integer.parseInt(repeats.group(1)))));
    }
    repeats.appendTail(expanded);
    StringBuilder bytes = new StringBuilder();
    for (int i = 0; i < expanded.length(); i++) {
      char c = expanded.charAt(i);
      if (c != '\\' || i + 1 == expanded.length()) {
        bytes.append(c);
        continue;
      }
      char escape = expanded.charAt(++i);
      switch (escape) {
        case 'r' -> bytes.append('\r');
        case 'n' -> bytes.append('\n');
        case 't' -> bytes.append('\t');
        case 'x' -> {
          bytes.append((char) Integer.parseInt(expanded.substring(i + 1, i + 3), 16));
          i += 2;
        }
        default -> bytes.append(escape);
      }
    }
    return bytes.toString();
  }
}
