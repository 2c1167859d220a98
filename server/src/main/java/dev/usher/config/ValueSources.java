package dev.usher.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;

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
      return "file " + fileName + ", line " + line(fileLayer, key);
    }
    return "built-in default";
  }

  // getValue throws for a key set to null; the layer's objects still hold the null and its origin.
  private static int line(Config layer, String key) {
    ConfigValue value = layer.root();
    for (String element : ConfigUtil.splitPath(key)) {
      value = ((ConfigObject) value).get(element);
    }
    return value.origin().lineNumber();
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
