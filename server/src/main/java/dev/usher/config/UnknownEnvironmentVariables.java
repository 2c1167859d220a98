package dev.usher.config;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Environment variables under usher's prefixes ({@code SERVER_}, {@code HTTP_}, {@code ADMIN_},
 * {@code SHUTDOWN_}, {@code LOG_}, {@code METRICS_}: the roots of its keys) that name no key. usher
 * reads only its keys' variables, so {@code SERVER_MAX_CONECTIONS=5} would otherwise be ignored
 * without a word while the operator believes the limit changed. Each one is a warning, not an
 * error, because other software sets variables under the same prefixes; the ones known to be
 * someone else's (a proxy's, CGI's, Kubernetes' service links) get no warning. The warning names
 * the variable, never its value (a proxy's password may be in it), and the variable it was probably
 * meant to be, with that variable's key.
 */
final class UnknownEnvironmentVariables {
  /**
   * Variables under usher's prefixes that other software sets: never warned about. None of them may
   * be a key's variable ({@code SERVER_PORT}, {@code SERVER_PROTOCOL}, {@code LOG_LEVEL} are
   * usher's, whatever else reads them; ConfigUnknownVariablesTest checks).
   */
  static final Set<String> NOT_USHERS =
      Set.of(
          // Proxy settings read by curl, wget, Go's and Python's HTTP clients and many more.
          // HTTPS_PROXY is under no prefix of usher's; it is listed so that this list is the whole
          // answer to "which proxy variables are left alone".
          "HTTP_PROXY",
          "HTTPS_PROXY",
          "HTTP_PROXY_HOST",
          "HTTP_PROXY_PORT",
          "HTTP_PROXY_USER",
          "HTTP_PROXY_PASS",
          // CGI's meta-variables (RFC 3875) that a server hands to the programs it runs.
          "SERVER_SOFTWARE",
          "SERVER_NAME",
          "HTTP_HOST",
          "HTTP_USER_AGENT");

  /**
   * Kubernetes' service links: for every Service in the namespace (unless the pod sets {@code
   * enableServiceLinks: false}), {@code <NAME>_SERVICE_HOST}, {@code <NAME>_SERVICE_PORT}, {@code
   * <NAME>_SERVICE_PORT_<PORT NAME>}, {@code <NAME>_PORT_8080_TCP} and its {@code _PROTO}, {@code
   * _PORT} and {@code _ADDR}. A Service named {@code server}, {@code admin} or {@code http} puts
   * them under usher's prefixes.
   */
  private static final Pattern SERVICE_LINK =
      Pattern.compile(
          "[A-Z0-9_]+_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?"
              + "|PORT_[0-9]+_(TCP|UDP|SCTP)(_[A-Z]+)?)");

  /** And {@code <NAME>_PORT=tcp://10.0.0.11:8080}, told from a setting by its value. */
  private static final Pattern SERVICE_LINK_PORT = Pattern.compile("[A-Z0-9_]+_PORT");

  private static final Pattern SERVICE_LINK_PORT_VALUE = Pattern.compile("(tcp|udp|sctp)://.*");

  private UnknownEnvironmentVariables() {}

  /**
   * One warning for each variable of {@code environment} under usher's prefixes that is neither a
   * key's nor a retired key's (those are refused as errors) nor someone else's, in the variables'
   * order.
   */
  static List<String> warnings(Map<String, String> environment, Set<String> knownKeys) {
    Map<String, String> keysByVariable = new TreeMap<>();
    knownKeys.forEach(key -> keysByVariable.put(ConfigLoader.environmentName(key), key));
    Set<String> retiredVariables =
        RetiredKeys.keys().stream()
            .map(ConfigLoader::environmentName)
            .collect(Collectors.toUnmodifiableSet());
    Set<String> prefixes =
        knownKeys.stream()
            .map(key -> ConfigLoader.environmentName(key.split("\\.", 2)[0]) + "_")
            .collect(Collectors.toUnmodifiableSet());
    return environment.entrySet().stream()
        .filter(variable -> prefixes.stream().anyMatch(variable.getKey()::startsWith))
        .filter(variable -> !keysByVariable.containsKey(variable.getKey()))
        .filter(variable -> !retiredVariables.contains(variable.getKey()))
        .filter(variable -> !isSomeoneElses(variable.getKey(), variable.getValue()))
        .map(Map.Entry::getKey)
        .sorted()
        .map(variable -> warning(variable, keysByVariable))
        .toList();
  }

  private static boolean isSomeoneElses(String name, String value) {
    return NOT_USHERS.contains(name)
        || SERVICE_LINK.matcher(name).matches()
        || (SERVICE_LINK_PORT.matcher(name).matches()
            && SERVICE_LINK_PORT_VALUE.matcher(value).matches());
  }

  private static String warning(String variable, Map<String, String> keysByVariable) {
    String unknown = "environment variable " + variable + " is not one of usher's";
    return ConfigLoader.closest(keysByVariable.keySet(), variable)
        .map(meant -> unknown + "; did you mean " + meant + " (" + keysByVariable.get(meant) + ")?")
        .orElse(unknown);
  }
}
