package dev.usher.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

/** Tells, for any key, which configuration layer its effective value came from. */
final class ValueSources {
  private final String fileName;
  private final Config fileLayer;
  private final Config environmentLayer;
  private final Config propertiesLayer;

  ValueSources(String fileName, Config fileLayer, Config environmentLayer, Config propertiesLayer) {
    this.fileName = fileName;
    this.fileLayer = fileLayer;
    this.environmentLayer = environmentLayer;
    this.propertiesLayer = propertiesLayer;
  }

  String describe(String key) {
    if (hasPath(propertiesLayer, key)) {
      return "system property -D" + key;
    }
    if (hasPath(environmentLayer, key)) {
      return "environment variable " + ConfigLoader.environmentName(key);
    }
    if (hasPath(fileLayer, key)) {
      return "file " + fileName + ", line " + fileLayer.getValue(key).origin().lineNumber();
    }
    return "built-in default";
  }

  // hasPathOrNull: a key set to null in a file still came from that file.
  private static boolean hasPath(Config layer, String key) {
    try {
      return layer.hasPathOrNull(key);
    } catch (ConfigException.BadPath notAPath) {
      return false;
    }
  }
}
