package dev.usher.config;

import java.util.List;

/**
 * The outcome of loading: the configuration, each effective value with its source, and the warnings
 * to log once logging is set up (environment variables under usher's prefixes that name no key,
 * then values that work but deserve an operator's attention).
 */
public record LoadedConfig(UsherConfig config, List<ConfigEntry> entries, List<String> warnings) {}
