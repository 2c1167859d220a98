package dev.usher.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An environment variable under usher's prefixes that names no key is ignored with a warning (not
 * refused: other software sets such variables too), with the variable it was probably meant to be.
 * Variables known to be someone else's, a proxy's, CGI's or Kubernetes' service links, are left
 * alone without a word.
 */
class ConfigUnknownVariablesTest {

  /** A misspelled variable, a value, and the variable and key it was meant to be. */
  private static final List<Arguments> TYPOS =
      List.of(
          Arguments.of(
              "SERVER_MAX_CONECTIONS", "5", "SERVER_MAX_CONNECTIONS", "server.max-connections"),
          Arguments.of("SERVER_IDLE_TIMOUT", "10s", "SERVER_IDLE_TIMEOUT", "server.idle-timeout"),
          Arguments.of(
              "SERVER_SOCKET_TCP_NO_DELAY",
              "false",
              "SERVER_SOCKET_TCP_NODELAY",
              "server.socket.tcp-nodelay"),
          Arguments.of("HTTP_MAX_BODY_BYTE", "2MiB", "HTTP_MAX_BODY_BYTES", "http.max-body-bytes"),
          Arguments.of("ADMIN_PROT", "9000", "ADMIN_PORT", "admin.port"),
          Arguments.of(
              "SHUTDOWN_PRESTOP_DELAY", "5s", "SHUTDOWN_PRE_STOP_DELAY", "shutdown.pre-stop-delay"),
          Arguments.of("LOG_FROMAT", "json", "LOG_FORMAT", "log.format"),
          Arguments.of(
              "METRICS_ACCEPTPATH", "false", "METRICS_ACCEPT_PATH", "metrics.accept-path"));

  /** Variables under usher's prefixes that are near none of its variables. */
  private static final List<Arguments> UNRELATED =
      List.of(
          Arguments.of("SERVER_QUIC_CERTIFICATE", "/etc/tls/cert.pem"),
          Arguments.of("HTTP_COMPRESSION", "gzip"),
          Arguments.of("ADMIN_PASSWORD", "secret"),
          Arguments.of("SHUTDOWN_HOOK", "/bin/true"),
          Arguments.of("LOG_DIRECTORY", "/var/log/usher"),
          Arguments.of("METRICS_PUSHGATEWAY_URL", "http://pushgateway:9091"),
          // <X>_PORT is a service link only when its value is one.
          Arguments.of("METRICS_PORT", "9090"));

  /** Variables under usher's prefixes (or beside them) that other software sets. */
  private static final List<Arguments> SOMEONE_ELSES =
      List.of(
          Arguments.of("HTTP_PROXY", "http://proxy.internal:3128"),
          Arguments.of("HTTPS_PROXY", "http://proxy.internal:3128"),
          Arguments.of("HTTP_PROXY_HOST", "proxy.internal"),
          Arguments.of("HTTP_PROXY_PORT", "3128"),
          Arguments.of("HTTP_PROXY_USER", "usher"),
          Arguments.of("HTTP_PROXY_PASS", "secret"),
          Arguments.of("HTTP_USER_AGENT", "curl/8.14"),
          Arguments.of("HTTP_HOST", "example.com"),
          Arguments.of("SERVER_SOFTWARE", "nginx/1.27"),
          Arguments.of("SERVER_NAME", "example.com"),
          // Kubernetes' service links for Services named admin, server, http, log and metrics.
          Arguments.of("ADMIN_SERVICE_HOST", "10.96.0.11"),
          Arguments.of("ADMIN_SERVICE_PORT", "8081"),
          Arguments.of("ADMIN_SERVICE_PORT_METRICS", "8081"),
          Arguments.of("ADMIN_PORT_8081_TCP", "tcp://10.96.0.11:8081"),
          Arguments.of("SERVER_PORT_8080_TCP", "tcp://10.96.0.10:8080"),
          Arguments.of("SERVER_PORT_8080_TCP_PROTO", "tcp"),
          Arguments.of("SERVER_PORT_8080_TCP_PORT", "8080"),
          Arguments.of("SERVER_PORT_8080_TCP_ADDR", "10.96.0.10"),
          Arguments.of("HTTP_PORT_53_UDP_ADDR", "10.96.0.12"),
          Arguments.of("LOG_PORT", "tcp://10.96.0.13:24224"),
          Arguments.of("METRICS_PORT", "udp://10.96.0.14:8125"),
          Arguments.of("METRICS_SERVICE_PORT_STATSD", "8125"),
          // Under no prefix of usher's.
          Arguments.of("HOME", "/home/usher"),
          Arguments.of("SERVER", "9100"),
          Arguments.of("server_max_conections", "5"));

  static Stream<Arguments> typos() {
    return TYPOS.stream();
  }

  static Stream<Arguments> unrelated() {
    return UNRELATED.stream();
  }

  static Stream<Arguments> someoneElses() {
    return SOMEONE_ELSES.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("typos")
  void aMisspelledVariableWarnsWithTheVariableItWasMeantToBe(
      String variable, String value, String meant, String key) throws Exception {
    LoadedConfig loaded = new ConfigLayers().environment(variable, value).load();

    assertEquals(
        List.of(
            "environment variable "
                + variable
                + " is not one of usher's; did you mean "
                + meant
                + " ("
                + key
                + ")?"),
        loaded.warnings());
    assertEquals(
        "built-in default", entry(loaded, key).source(), "the misspelled variable is not read");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unrelated")
  void aVariableNearNoneOfUshersWarnsWithoutASuggestion(String variable, String value)
      throws Exception {
    assertEquals(
        List.of("environment variable " + variable + " is not one of usher's"),
        new ConfigLayers().environment(variable, value).load().warnings());
  }

  @ParameterizedTest(name = "{0}={1}")
  @MethodSource("someoneElses")
  void aVariableOtherSoftwareSetsWarnsAboutNothing(String variable, String value) throws Exception {
    assertEquals(List.of(), new ConfigLayers().environment(variable, value).load().warnings());
  }

  @Test
  void everyKeysVariableIsReadWithoutAWarning() throws Exception {
    ConfigLayers layers = new ConfigLayers();
    Map<String, String> defaults = defaultsByKey();
    defaults.forEach((key, value) -> layers.environment(ConfigLoader.environmentName(key), value));

    LoadedConfig loaded = layers.load();

    assertEquals(List.of(), loaded.warnings());
    defaults
        .keySet()
        .forEach(
            key ->
                assertEquals(
                    "environment variable " + ConfigLoader.environmentName(key),
                    entry(loaded, key).source(),
                    key));
  }

  @Test
  void aRetiredKeysVariableIsRefusedNotWarnedAbout() {
    Map<String, String> environment =
        RetiredKeys.keys().stream()
            .collect(Collectors.toMap(ConfigLoader::environmentName, key -> "1"));

    assertEquals(
        List.of(),
        UnknownEnvironmentVariables.warnings(environment, defaultsByKey().keySet()),
        "ConfigRetiredKeysTest: each of them stops the start");
  }

  @Test
  void noVariableLeftAloneAsSomeoneElsesIsAKeysVariable() {
    Set<String> ushers =
        Stream.concat(defaultsByKey().keySet().stream(), RetiredKeys.keys().stream())
            .map(ConfigLoader::environmentName)
            .collect(Collectors.toSet());

    assertEquals(
        Set.of(),
        UnknownEnvironmentVariables.NOT_USHERS.stream()
            .filter(ushers::contains)
            .collect(Collectors.toSet()));
  }

  @Test
  void everyUnknownVariableIsItsOwnWarningInTheVariablesOrderBeforeTheValuesWarnings()
      throws Exception {
    List<String> warnings =
        new ConfigLayers()
            .environment("SERVER_PORTS", "9000")
            .environment("LOG_FROMAT", "json")
            .environment("HTTP_PROXY", "http://proxy.internal:3128")
            .environment("ADMIN_PORT", "443")
            .load()
            .warnings();

    assertEquals(
        List.of(
            "environment variable LOG_FROMAT is not one of usher's; did you mean LOG_FORMAT"
                + " (log.format)?",
            "environment variable SERVER_PORTS is not one of usher's; did you mean SERVER_PORT"
                + " (server.port)?",
            "admin.port = 443 is a privileged port (1-1023): binding it needs root or"
                + " CAP_NET_BIND_SERVICE"),
        warnings);
  }

  /** Every key of usher-defaults.conf with its default as written there. */
  private static Map<String, String> defaultsByKey() {
    Map<String, String> defaults = new TreeMap<>();
    ConfigFactory.parseResources(ConfigLoader.class, "/usher-defaults.conf")
        .entrySet()
        .forEach(entry -> defaults.put(entry.getKey(), asVariable(entry.getValue().unwrapped())));
    return defaults;
  }

  // A list is written in a variable as comma-separated items.
  private static String asVariable(Object value) {
    return value instanceof List<?> items
        ? items.stream().map(Object::toString).collect(Collectors.joining(","))
        : value.toString();
  }

  private static ConfigEntry entry(LoadedConfig loaded, String key) {
    return loaded.entries().stream()
        .filter(entry -> entry.key().equals(key))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no entry for " + key));
  }
}
