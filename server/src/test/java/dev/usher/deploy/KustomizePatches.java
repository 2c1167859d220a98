package dev.usher.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * The two kinds of patch usher's kustomize overlays use, applied as kustomize applies them, so that
 * a test can read the objects an overlay makes without kustomize: a strategic merge patch (objects
 * merged field by field, the lists Kubernetes merges by a key merged by that key, any other list
 * replaced) and a JSON patch (RFC 6902; the {@code add} and {@code replace} operations).
 */
final class KustomizePatches {
  /**
   * The pod template's lists that Kubernetes merges by a key (its patchMergeKey), by field name;
   * enough for the fields usher's overlays touch.
   */
  private static final Map<String, String> MERGE_KEYS =
      Map.of(
          "containers", "name",
          "initContainers", "name",
          "env", "name",
          "volumeMounts", "mountPath",
          "volumes", "name",
          "ports", "containerPort",
          "sysctls", "name");

  private KustomizePatches() {}

  /** {@code base} with the strategic merge patch {@code patch} applied; {@code base} is kept. */
  static JsonNode strategicMerge(JsonNode base, JsonNode patch) {
    ObjectNode merged = base.deepCopy();
    mergeObject(merged, patch);
    return merged;
  }

  /** {@code base} with the JSON patch {@code operations} applied; {@code base} is kept. */
  static JsonNode jsonPatch(JsonNode base, JsonNode operations) {
    JsonNode patched = base.deepCopy();
    for (JsonNode operation : operations) {
      String op = operation.path("op").asText();
      String path = operation.path("path").asText();
      int slash = path.lastIndexOf('/');
      JsonNode parent = patched.at(path.substring(0, slash));
      String last = path.substring(slash + 1);
      JsonNode value = operation.get("value");
      switch (op) {
        case "replace" -> {
          if (patched.at(path).isMissingNode()) {
            throw new IllegalArgumentException("replace of " + path + ", which does not exist");
          }
          set(parent, last, value, false);
        }
        case "add" -> set(parent, last, value, true);
        default ->
            throw new IllegalArgumentException("JSON patch operation " + op + " unsupported");
      }
    }
    return patched;
  }

  private static void set(JsonNode parent, String last, JsonNode value, boolean insert) {
    if (parent instanceof ArrayNode array) {
      if ("-".equals(last)) {
        array.add(value);
      } else if (insert) {
        array.insert(Integer.parseInt(last), value);
      } else {
        array.set(Integer.parseInt(last), value);
      }
    } else if (parent instanceof ObjectNode object) {
      object.set(last, value);
    } else {
      throw new IllegalArgumentException("no object or list to patch at " + parent);
    }
  }

  private static void mergeObject(ObjectNode target, JsonNode patch) {
    patch
        .properties()
        .forEach(
            field -> {
              String name = field.getKey();
              JsonNode value = field.getValue();
              JsonNode existing = target.get(name);
              if (value.isNull()) {
                target.remove(name);
              } else if (value.isObject() && existing instanceof ObjectNode object) {
                mergeObject(object, value);
              } else if (value.isArray()
                  && existing instanceof ArrayNode list
                  && MERGE_KEYS.containsKey(name)) {
                mergeList(list, (ArrayNode) value, MERGE_KEYS.get(name));
              } else {
                target.set(name, value.deepCopy());
              }
            });
  }

  private static void mergeList(ArrayNode target, ArrayNode patch, String key) {
    for (JsonNode element : patch) {
      JsonNode match = null;
      for (JsonNode candidate : target) {
        if (candidate.path(key).equals(element.path(key))) {
          match = candidate;
        }
      }
      if (match instanceof ObjectNode object) {
        mergeObject(object, element);
      } else {
        target.add(element.deepCopy());
      }
    }
  }
}
