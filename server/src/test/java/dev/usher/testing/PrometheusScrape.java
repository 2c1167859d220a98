package dev.usher.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape of the Prometheus text format, for asserting on sample values. */
public final class PrometheusScrape {
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})?\\s+(\\S+).*$");

  private final String text;
  private final Map<String, Double> samples;

  private PrometheusScrape(String text, Map<String, Double> samples) {
    this.text = text;
    this.samples = samples;
  }

  /** Parses a scrape's text (Prometheus text format, as {@code /metrics} answers by default). */
  public static PrometheusScrape parse(String text) {
    Map<String, Double> samples = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      Matcher matcher = SAMPLE.matcher(line);
      if (matcher.matches()) {
        String labels = matcher.group(2) == null ? "" : matcher.group(2);
        samples.put(matcher.group(1) + labels, Double.parseDouble(matcher.group(3)));
      }
    }
    return new PrometheusScrape(text, samples);
  }

  /**
   * The value of the sample with this name whose labels include every {@code label="value"} pair
   * given, e.g. {@code value("server_connections_refused_total", "reason=\"max_connections\"")}.
   */
  public OptionalDouble value(String name, String... labels) {
    return samples.entrySet().stream()
        .filter(entry -> entry.getKey().equals(name) || entry.getKey().startsWith(name + "{"))
        .filter(entry -> containsAll(entry.getKey(), labels))
        .mapToDouble(Map.Entry::getValue)
        .findFirst();
  }

  /** The sum of the samples with this name whose labels include every pair given; 0 when none. */
  public double sum(String name, String... labels) {
    return samples.entrySet().stream()
        .filter(entry -> entry.getKey().equals(name) || entry.getKey().startsWith(name + "{"))
        .filter(entry -> containsAll(entry.getKey(), labels))
        .mapToDouble(Map.Entry::getValue)
        .sum();
  }

  /** Like {@link #value} but fails when the sample is absent. */
  public double require(String name, String... labels) {
    return value(name, labels)
        .orElseThrow(
            () ->
                new AssertionError(
                    "no sample " + name + " " + String.join(",", labels) + " in:\n" + text));
  }

  public String text() {
    return text;
  }

  private static boolean containsAll(String key, String[] labels) {
    for (String label : labels) {
      if (!key.contains(label)) {
        return false;
      }
    }
    return true;
  }
}
