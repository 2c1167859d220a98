package dev.usher.config;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.usher.config.KernelNetworkSettings.PortRange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The four configuration layers a test sets up before it loads: a HOCON file, environment
 * variables, system properties and the kernel's settings (a host with somaxconn 4096 and the Linux
 * default ephemeral range unless the test says otherwise). Nothing is read from this JVM.
 */
final class ConfigLayers {
  static final KernelNetworkSettings TYPICAL_KERNEL =
      new KernelNetworkSettings(4096, Optional.of(new PortRange(32768, 60999)));

  private final Map<String, String> environment = new HashMap<>();
  private final Properties systemProperties = new Properties();
  private KernelNetworkSettings kernel = TYPICAL_KERNEL;
  private Optional<Path> file = Optional.empty();

  ConfigLayers file(Path file) {
    this.file = Optional.of(file);
    return this;
  }

  /** Writes {@code hocon} to {@code directory/usher.conf} and uses it as the --config file. */
  ConfigLayers fileWith(Path directory, String hocon) throws IOException {
    return file(Files.writeString(directory.resolve("usher.conf"), hocon));
  }

  ConfigLayers environment(String name, String value) {
    environment.put(name, value);
    return this;
  }

  ConfigLayers property(String key, String value) {
    systemProperties.setProperty(key, value);
    return this;
  }

  ConfigLayers kernel(KernelNetworkSettings kernel) {
    this.kernel = kernel;
    return this;
  }

  LoadedConfig load() throws InvalidConfigException {
    return new ConfigLoader(environment, systemProperties, kernel).load(file);
  }

  /** Loads, expecting a rejection, and returns its message (the one line usher prints). */
  String rejection() {
    return assertThrows(InvalidConfigException.class, this::load).getMessage();
  }

  /** The loaded entries by key. */
  Map<String, ConfigEntry> entries() throws InvalidConfigException {
    return load().entries().stream()
        .collect(Collectors.toMap(ConfigEntry::key, Function.identity()));
  }
}
