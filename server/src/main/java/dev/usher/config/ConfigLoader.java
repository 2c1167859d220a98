package dev.usher.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Loads usher's configuration from its four layers, lowest precedence first: the built-in defaults
 * ({@code usher-defaults.conf} in the jar), a HOCON file, environment variables and {@code -D}
 * system properties; then validates every value before anything binds.
 *
 * <p>This is the only place that reads the environment or system properties for configuration. A
 * system property is usher's when its first segment is one of usher's roots ({@code server}, {@code
 * http}, {@code admin}, {@code lifecycle}, {@code shutdown}, {@code log}, {@code metrics}), except
 * the JDK's own networking properties under {@code http.}; an environment variable when it names a
 * key. Any other variable under a root's prefix ({@code SERVER_MAX_CONECTIONS}) is ignored with a
 * warning ({@link UnknownEnvironmentVariables}), not refused: other software sets such variables
 * too. A key usher no longer reads is refused, in every layer, with what to write instead ({@link
 * RetiredKeys}).
 */
public final class ConfigLoader {

  /** Where the file layer is looked for when no {@code --config FILE} is given. */
  public static final Path DEFAULT_FILE = Path.of("config", "usher.conf");

  private static final String DEFAULTS_RESOURCE = "usher-defaults.conf";
  private static final int MAX_TYPO_DISTANCE = 3;
  private static final Set<String> ROOTS =
      Set.of("server", "http", "admin", "lifecycle", "shutdown", "log", "metrics");
  // The JDK's own networking properties that share usher's http root.
  private static final List<String> JDK_HTTP_PREFIXES =
      List.of(
          "http.proxy",
          "http.nonProxyHosts",
          "http.keepAlive",
          "http.maxConnections",
          "http.agent",
          "http.auth");

  private final Map<String, String> environment;
  private final Properties systemProperties;
  private final KernelNetworkSettings kernel;

  public ConfigLoader(
      Map<String, String> environment, Properties systemProperties, KernelNetworkSettings kernel) {
    this.environment = Map.copyOf(environment);
    this.systemProperties = systemProperties;
    this.kernel = kernel;
  }

  /** The environment variable that sets {@code key}: upper case, '.' and '-' become '_'. */
  public static String environmentName(String key) {
    return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /**
   * Loads and validates.
   *
   * @param explicitFile the file named by {@code --config}; it must exist. When empty, {@link
   *     #DEFAULT_FILE} is read if present.
   */
  public LoadedConfig load(Optional<Path> explicitFile) throws InvalidConfigException {
    Config defaults = ConfigFactory.parseResources(ConfigLoader.class, "/" + DEFAULTS_RESOURCE);
    Set<String> knownKeys = leafKeys(defaults);

    Optional<Path> file = explicitFile.or(() -> Optional.of(DEFAULT_FILE).filter(Files::exists));
    Config fileLayer = file.isPresent() ? parseFile(file.get()) : ConfigFactory.empty();
    Config environmentLayer = environmentLayer(knownKeys);
    Config propertiesLayer = propertiesLayer();

    ValueSources sources =
        new ValueSources(
            file.map(Path::toString).orElse(""), fileLayer, environmentLayer, propertiesLayer);

    Config merged;
    try {
      merged =
          propertiesLayer
              .withFallback(environmentLayer)
              .withFallback(fileLayer)
              .withFallback(defaults)
              .resolve();
    } catch (ConfigException unresolvable) {
      throw new InvalidConfigException("invalid configuration: " + unresolvable.getMessage());
    }
    ConfigValues values = new ConfigValues(merged, sources);
    RetiredKeys.rejectAny(values);
    rejectUnknownKeys(knownKeys, fileLayer, sources);
    rejectUnknownKeys(knownKeys, propertiesLayer, sources);
    UsherConfig config = new ConfigBinder(values, kernel).bind();
    List<ConfigEntry> entries =
        knownKeys.stream()
            .sorted()
            .map(key -> new ConfigEntry(key, values.display(key), sources.describe(key)))
            .toList();
    List<String> warnings =
        new ArrayList<>(UnknownEnvironmentVariables.warnings(environment, knownKeys));
    warnings.addAll(new ConfigWarnings(kernel).of(config));
    return new LoadedConfig(config, entries, List.copyOf(warnings));
  }

  // Only the variables of known and retired keys are read: HOME or HTTP_PROXY is not usher's.
  private Config environmentLayer(Set<String> knownKeys) {
    Set<String> keys = new TreeSet<>(knownKeys);
    keys.addAll(RetiredKeys.keys());
    Map<String, String> fromEnvironment = new HashMap<>();
    for (String key : keys) {
      String value = environment.get(environmentName(key));
      if (value != null) {
        fromEnvironment.put(key, value);
      }
    }
    return ConfigFactory.parseMap(fromEnvironment, "environment variables");
  }

  private Config propertiesLayer() throws InvalidConfigException {
    Map<String, String> fromProperties =
        systemProperties.stringPropertyNames().stream()
            .filter(name -> ROOTS.contains(name.split("\\.", 2)[0]) && name.contains("."))
            .filter(name -> !isJdkNetworkingProperty(name))
            .collect(Collectors.toMap(name -> name, systemProperties::getProperty));
    try {
      return ConfigFactory.parseMap(fromProperties, "system properties");
    } catch (ConfigException conflicting) {
      // -Dserver.port=1 -Dserver.port.x=2: one key is both a value and an object.
      throw new InvalidConfigException(
          "invalid configuration: system properties: " + conflicting.getMessage());
    }
  }

  /**
   * Whether a system property under {@code http.} is one of the JDK's networking properties ({@code
   * http.proxyHost}, {@code http.nonProxyHosts}, {@code http.keepAlive}, {@code
   * http.auth.digest.validateProxy}, ...), which any JVM may be given: those are left alone,
   * neither read nor rejected as unknown. usher's keys are lower case with dashes, so the rule is:
   * a name with an upper-case letter, or one under the JDK's prefixes ({@code http.proxy}, {@code
   * http.nonProxyHosts}, {@code http.keepAlive}, {@code http.maxConnections}, {@code http.agent},
   * {@code http.auth}) is the JDK's. Every other name under {@code http.} is taken as usher's and
   * checked like the other roots, so a misspelled {@code http.max-body-byte} is refused with a
   * suggestion rather than ignored.
   */
  private static boolean isJdkNetworkingProperty(String name) {
    return name.startsWith("http.")
        && (!name.equals(name.toLowerCase(Locale.ROOT))
            || JDK_HTTP_PREFIXES.stream().anyMatch(name::startsWith));
  }

  private static Config parseFile(Path file) throws InvalidConfigException {
    if (!Files.isRegularFile(file)) {
      throw new InvalidConfigException(
          "invalid configuration: configuration file " + file + " does not exist");
    }
    try {
      return ConfigFactory.parseFile(
          file.toFile(),
          ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false));
    } catch (ConfigException unparsable) {
      throw new InvalidConfigException(
          "invalid configuration: cannot parse " + file + ": " + unparsable.getMessage());
    }
  }

  private static void rejectUnknownKeys(Set<String> knownKeys, Config layer, ValueSources sources)
      throws InvalidConfigException {
    Optional<String> unknown =
        leafKeys(layer).stream().filter(key -> !knownKeys.contains(key)).sorted().findFirst();
    if (unknown.isPresent()) {
      String key = unknown.get();
      String suggestion =
          closest(knownKeys, key).map(meant -> "; did you mean " + meant + "?").orElse("");
      throw InvalidConfigException.of(
          key,
          String.valueOf(layer.getValue(key).unwrapped()),
          sources.describe(key),
          "one of the keys in usher-defaults.conf" + suggestion);
    }
  }

  private static Set<String> leafKeys(Config config) {
    return config.entrySet().stream()
        .map(Map.Entry::getKey)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * The candidate nearest to {@code name} when it is near enough to be a typo (at most {@value
   * #MAX_TYPO_DISTANCE} edits); of equally near ones, the first in {@code candidates}' order.
   */
  static Optional<String> closest(Collection<String> candidates, String name) {
    return candidates.stream()
        .min(Comparator.comparingInt(candidate -> editDistance(candidate, name)))
        .filter(nearest -> editDistance(nearest, name) <= MAX_TYPO_DISTANCE);
  }

  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
