package dev.usher.config;

/** The built-in application served on the main listener. */
public enum Protocol {
  HTTP,
  ECHO
}
