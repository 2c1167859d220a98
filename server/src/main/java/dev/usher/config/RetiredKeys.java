package dev.usher.config;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one table of keys usher no longer reads, each with what to write instead. A retired key set
 * in any layer (file, environment variable, system property) stops the start with one line naming
 * the key, where it was set and its replacement: it is never silently ignored, which would leave a
 * limit at its default while the operator believes it changed.
 */
final class RetiredKeys {
  private static final List<RetiredKey> TABLE =
      List.of(
          renamed("server.max-request-bytes", "http.max-body-bytes"),
          renamed("server.max-initial-line-bytes", "http.max-initial-line-bytes"),
          renamed("server.max-header-bytes", "http.max-header-bytes"),
          renamed("server.request-timeout", "http.request-timeout"),
          removed(
              "server.boss-threads",
              "one listening socket is served by one boss thread; for several acceptors use"
                  + " server.accept-mode = reuseport"));

  private RetiredKeys() {}

  /** Every retired key, so that the environment layer looks for their variables too. */
  static Set<String> keys() {
    return TABLE.stream().map(RetiredKey::key).collect(Collectors.toUnmodifiableSet());
  }

  /** Refuses the first retired key that any layer sets, in the order of the table. */
  static void rejectAny(ConfigValues values) throws InvalidConfigException {
    for (RetiredKey retired : TABLE) {
      if (values.isSet(retired.key())) {
        throw values.retired(retired.key(), retired.advice());
      }
    }
  }

  private static RetiredKey renamed(String key, String newKey) {
    return new RetiredKey(key, "was renamed: use " + newKey);
  }

  private static RetiredKey removed(String key, String instead) {
    return new RetiredKey(key, "was removed: " + instead);
  }

  private record RetiredKey(String key, String advice) {}
}
