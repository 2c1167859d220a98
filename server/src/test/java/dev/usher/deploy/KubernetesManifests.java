package dev.usher.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads Kubernetes manifests into fabric8's typed model of the Kubernetes API, strictly: a field
 * the API does not have, or a value of the wrong type (a number where the API wants a string), is
 * an error naming the file, the document and the field, as the API server would reject it.
 */
final class KubernetesManifests {
  /** The kinds usher's manifests use, by apiVersion and kind, each to its model class. */
  private static final Map<String, Class<? extends HasMetadata>> KINDS =
      Stream.of(
              Deployment.class,
              Service.class,
              ConfigMap.class,
              PodDisruptionBudget.class,
              HorizontalPodAutoscaler.class,
              PodMonitor.class)
          .collect(Collectors.toMap(KubernetesManifests::key, Function.identity()));

  /**
   * fabric8's classes keep unknown fields in an "additionalProperties" map (a Jackson any-setter)
   * instead of failing; with any-setters ignored, FAIL_ON_UNKNOWN_PROPERTIES applies to them.
   */
  private static final ObjectMapper STRICT = strictMapper();

  /** One document of a manifest file: where it came from, and its typed value. */
  record Manifest(Path file, int document, HasMetadata resource) {
    String where() {
      return file.getFileName() + " document " + document;
    }
  }

  private KubernetesManifests() {}

  /**
   * Every document of {@code file}, typed; throws {@link IllegalArgumentException} on the first
   * invalid one.
   */
  static List<Manifest> read(Path file) {
    List<Manifest> manifests = new ArrayList<>();
    int index = 0;
    for (JsonNode document : DeployFiles.yamlDocuments(file)) {
      index++;
      manifests.add(
          new Manifest(file, index, parse(document, file.getFileName() + " document " + index)));
    }
    return manifests;
  }

  /** One document, typed by its apiVersion and kind. */
  static HasMetadata parse(JsonNode document, String where) {
    String key = document.path("apiVersion").asText() + " " + document.path("kind").asText();
    Class<? extends HasMetadata> type = KINDS.get(key);
    if (type == null) {
      throw new IllegalArgumentException(
          where + ": unexpected apiVersion/kind '" + key + "' (known: " + KINDS.keySet() + ")");
    }
    try {
      return STRICT.treeToValue(document, type);
    } catch (Exception invalid) {
      throw new IllegalArgumentException(
          where + " (" + key + ") is not valid: " + invalid.getMessage(), invalid);
    }
  }

  private static String key(Class<? extends HasMetadata> type) {
    return HasMetadata.getApiVersion(type) + " " + HasMetadata.getKind(type);
  }

  private static ObjectMapper strictMapper() {
    ObjectMapper mapper =
        JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .annotationIntrospector(
                new JacksonAnnotationIntrospector() {
                  private static final long serialVersionUID = 1L;

                  @Override
                  public Boolean hasAnySetter(Annotated member) {
                    return Boolean.FALSE;
                  }
                })
            .build();
    // The API server does not turn a YAML number into a string field ("value: 4096" for a sysctl).
    mapper
        .coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    return mapper;
  }
}
