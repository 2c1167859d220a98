package dev.usher.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The repository's deploy assets (Dockerfile, deploy/), found from the test's working directory
 * (server/ when Maven runs the tests), and read as JSON or YAML trees.
 */
public final class DeployFiles {
  static final ObjectMapper JSON = new ObjectMapper();
  static final YAMLMapper YAML = new YAMLMapper();

  private DeployFiles() {}

  /** The repository's root: the nearest directory up from here that holds mvnw and deploy/. */
  public static Path root() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("deploy"))) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "no repository root (mvnw and deploy/) above " + Path.of("").toAbsolutePath());
  }

  /** A path relative to the repository's root, which must exist. */
  public static Path path(String relative) {
    Path path = root().resolve(relative);
    if (!Files.exists(path)) {
      throw new IllegalStateException(relative + " is missing (looked at " + path + ")");
    }
    return path;
  }

  static JsonNode json(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException unreadable) {
      throw new UncheckedIOException("cannot parse " + file + " as JSON", unreadable);
    }
  }

  static JsonNode yaml(Path file) {
    List<JsonNode> documents = yamlDocuments(file);
    if (documents.size() != 1) {
      throw new IllegalStateException(
          file + " holds " + documents.size() + " YAML documents, expected 1");
    }
    return documents.getFirst();
  }

  /** Every document of a YAML file (documents separated by ---), empty ones left out. */
  static List<JsonNode> yamlDocuments(Path file) {
    try (var parser = new YAMLFactory().createParser(file.toFile())) {
      List<JsonNode> documents = new ArrayList<>();
      for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
        JsonNode document = it.next();
        if (document != null && !document.isNull() && !document.isMissingNode()) {
          documents.add(document);
        }
      }
      return documents;
    } catch (IOException unreadable) {
      throw new UncheckedIOException("cannot parse " + file + " as YAML", unreadable);
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException unreadable) {
      throw new UncheckedIOException("cannot read " + file, unreadable);
    }
  }
}
