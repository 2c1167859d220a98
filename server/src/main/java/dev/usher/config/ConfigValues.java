package dev.usher.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * Typed reads of the merged configuration. Every failed read becomes an {@link
 * InvalidConfigException} that names the key, the value, its source and what is allowed.
 */
final class ConfigValues {
  static final String AUTO = "auto";

  private final Config config;
  private final ValueSources sources;

  ConfigValues(Config config, ValueSources sources) {
    this.config = config;
    this.sources = sources;
  }

  String display(String key) {
    // A key set to null in a file: hasPath is false and getValue would throw.
    if (!config.hasPath(key)) {
      return "null";
    }
    ConfigValue value = config.getValue(key);
    return value.valueType() == ConfigValueType.STRING
        ? (String) value.unwrapped()
        : value.render(ConfigRenderOptions.concise());
  }

  InvalidConfigException invalid(String key, String allowed) {
    return InvalidConfigException.of(key, display(key), sources.describe(key), allowed);
  }

  /** Whether some layer sets {@code key}, to a value or to null. */
  boolean isSet(String key) {
    return config.hasPathOrNull(key);
  }

  /** The refusal of {@code key}, a key usher no longer reads; {@code advice} says what instead. */
  InvalidConfigException retired(String key, String advice) {
    return InvalidConfigException.retired(key, display(key), sources.describe(key), advice);
  }

  int integer(String key, int min, int max) throws InvalidConfigException {
    String allowed = "an integer from " + min + " to " + max;
    try {
      int value = wholeNumber(key);
      if (value < min || value > max) {
        throw invalid(key, allowed);
      }
      return value;
    } catch (ConfigException wrongType) {
      throw invalid(key, allowed);
    }
  }

  /** An integer, or the word {@code auto}: empty for auto. */
  OptionalInt integerOrAuto(String key, int min, int max, String autoMeaning)
      throws InvalidConfigException {
    if (isAuto(key)) {
      return OptionalInt.empty();
    }
    String allowed = "\"auto\" (" + autoMeaning + ") or an integer from " + min + " to " + max;
    try {
      int value = wholeNumber(key);
      if (value < min || value > max) {
        throw invalid(key, allowed);
      }
      return OptionalInt.of(value);
    } catch (ConfigException wrongType) {
      throw invalid(key, allowed);
    }
  }

  // getInt truncates a fraction (-Dserver.port=80.5 would bind 80): a count must be written whole.
  private int wholeNumber(String key) {
    Number number = config.getNumber(key);
    if (!(number instanceof Integer || number instanceof Long)) {
      throw new ConfigException.BadValue(key, "not a whole number");
    }
    return config.getInt(key);
  }

  boolean isAuto(String key) {
    if (!config.hasPath(key)) {
      return false;
    }
    ConfigValue value = config.getValue(key);
    return value.valueType() == ConfigValueType.STRING
        && AUTO.equalsIgnoreCase(((String) value.unwrapped()).strip());
  }

  boolean bool(String key) throws InvalidConfigException {
    try {
      return config.getBoolean(key);
    } catch (ConfigException wrongType) {
      throw invalid(key, "true or false");
    }
  }

  Duration duration(String key, Duration min, Duration max) throws InvalidConfigException {
    String allowed =
        "a duration from " + format(min) + " to " + format(max) + " written like 500ms, 10s or 2m";
    try {
      Duration value = config.getDuration(key);
      if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
        throw invalid(key, allowed);
      }
      return value;
    } catch (ConfigException wrongType) {
      throw invalid(key, allowed);
    }
  }

  int bytes(String key, long min, long max) throws InvalidConfigException {
    String allowed = "a size from " + min + " to " + max + " bytes written like 512, 64KiB or 1MiB";
    try {
      long value = config.getBytes(key);
      if (value < min || value > max) {
        throw invalid(key, allowed);
      }
      return (int) value;
    } catch (ConfigException wrongType) {
      throw invalid(key, allowed);
    }
  }

  String string(String key) throws InvalidConfigException {
    try {
      return config.getString(key).strip();
    } catch (ConfigException wrongType) {
      throw invalid(key, "a string");
    }
  }

  /**
   * A list: a list in a file, or one string of comma-separated items (how an environment variable
   * or a system property writes it). Items are stripped; empty items are dropped.
   */
  List<String> list(String key) throws InvalidConfigException {
    try {
      if (config.getValue(key).valueType() == ConfigValueType.LIST) {
        return config.getStringList(key).stream()
            .map(String::strip)
            .filter(s -> !s.isEmpty())
            .toList();
      }
      return Arrays.stream(config.getString(key).split(","))
          .map(String::strip)
          .filter(item -> !item.isEmpty())
          .toList();
    } catch (ConfigException wrongType) {
      throw invalid(key, "a list, written in a variable or property as comma-separated items");
    }
  }

  /** One of an enum's constants, written in lower case ({@code IO_URING} as {@code io_uring}). */
  <E extends Enum<E>> E choice(String key, Class<E> type) throws InvalidConfigException {
    String written = string(key).toUpperCase(Locale.ROOT);
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equals(written)) {
        return constant;
      }
    }
    throw invalid(key, "one of " + choices(type));
  }

  static <E extends Enum<E>> String choices(Class<E> type) {
    return Arrays.stream(type.getEnumConstants())
        .map(constant -> constant.name().toLowerCase(Locale.ROOT))
        .collect(Collectors.joining(", "));
  }

  private static String format(Duration duration) {
    return duration.toMillis() % 1000 == 0
        ? duration.toSeconds() + "s"
        : duration.toMillis() + "ms";
  }
}
