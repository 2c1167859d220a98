package dev.usher.config;

/** How log lines are written to standard output. */
public enum LogFormat {
  TEXT,
  JSON
}
