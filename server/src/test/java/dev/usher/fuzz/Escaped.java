package dev.usher.fuzz;

import java.nio.charset.StandardCharsets;

/**
 * Bytes written as the conformance table writes them ({@code deploy/conformance/http1.tsv}): {@code
 * \r \n \t \\} and {@code \xHH} for any other byte outside printable ASCII, so that an input the
 * fuzzer found can be pasted into the table as a row.
 */
final class Escaped {
  private Escaped() {}

  static String of(byte[] bytes) {
    return of(new String(bytes, StandardCharsets.ISO_8859_1));
  }

  /** {@code text} holds one byte per char. */
  static String of(String text) {
    StringBuilder escaped = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\r' -> escaped.append("\\r");
        case '\n' -> escaped.append("\\n");
        case '\t' -> escaped.append("\\t");
        case '\\' -> escaped.append("\\\\");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            escaped.append(String.format("\\x%02x", (int) c));
          } else {
            escaped.append(c);
          }
        }
      }
    }
    return escaped.toString();
  }
}
