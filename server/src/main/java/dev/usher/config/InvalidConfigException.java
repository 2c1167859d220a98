package dev.usher.config;

/**
 * A configuration value usher cannot start with. The message is one line, written for an operator:
 * the key, the value, where the value came from and what is allowed (or, for a key usher no longer
 * reads, what to write instead).
 */
public final class InvalidConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  InvalidConfigException(String message) {
    super(message, null, false, false);
  }

  static InvalidConfigException of(String key, String value, String source, String allowed) {
    return new InvalidConfigException(
        "invalid configuration: "
            + key
            + " = "
            + value
            + " (from "
            + source
            + "): expected "
            + allowed);
  }

  /**
   * A key usher no longer reads: {@code advice} says it was renamed or removed, and what instead.
   */
  static InvalidConfigException retired(String key, String value, String source, String advice) {
    return new InvalidConfigException(
        "invalid configuration: " + key + " = " + value + " (from " + source + ") " + advice);
  }
}
