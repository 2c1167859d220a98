package dev.usher.config;

/** One effective configuration value and where it came from, as {@code --print-config} shows it. */
public record ConfigEntry(String key, String value, String source) {}
