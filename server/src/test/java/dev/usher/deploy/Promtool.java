package dev.usher.deploy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.usher.testing.ExternalTools;
import dev.usher.testing.ExternalTools.Result;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Prometheus' promtool (Debian package prometheus), as the deploy tests run it. */
final class Promtool {
  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  private Promtool() {}

  /** promtool's path; skips the test where it is missing, fails it under CI. */
  static Path require() {
    return ExternalTools.require("promtool", "prometheus");
  }

  static Result run(Path directory, String... arguments) {
    List<String> command = new java.util.ArrayList<>();
    command.add(require().toString());
    command.addAll(List.of(arguments));
    return ExternalTools.run(TIMEOUT, Map.of(), directory, command);
  }

  /**
   * Whether this promtool knows kubernetes_sd_configs. Debian's prometheus package is built without
   * Kubernetes discovery; upstream builds have it.
   */
  static boolean supportsKubernetesDiscovery(Path scratch) throws IOException {
    Path config = scratch.resolve("kubernetes-sd-probe.yml");
    Files.writeString(
        config,
        """
        scrape_configs:
          - job_name: probe
            kubernetes_sd_configs:
              - role: pod
        """);
    return run(scratch, "check", "config", config.toString()).exitCode() == 0;
  }

  /**
   * Fails unless every expression parses as PromQL: they become recording rules of a scratch rules
   * file, and {@code promtool check rules} reads it. {@code expressions}: a name for the message (a
   * panel, a rule) to the expression.
   */
  static void assertParses(Path scratch, Map<String, String> expressions) {
    ObjectNode file = DeployFiles.YAML.createObjectNode();
    ArrayNode rules =
        file.putArray("groups").addObject().put("name", "parse-check").putArray("rules");
    int index = 0;
    StringBuilder legend = new StringBuilder();
    for (Map.Entry<String, String> expression : expressions.entrySet()) {
      String record = "usher:parse_check:" + index++;
      rules.addObject().put("record", record).put("expr", expression.getValue());
      legend.append(record).append(" = ").append(expression.getKey()).append('\n');
    }
    Path rulesFile = scratch.resolve("parse-check.rules.yml");
    try {
      DeployFiles.YAML.writeValue(rulesFile.toFile(), file);
    } catch (IOException cannotWrite) {
      throw new UncheckedIOException(cannotWrite);
    }
    Result result = run(scratch, "check", "rules", rulesFile.toString());
    if (result.exitCode() != 0) {
      throw new AssertionError(
          "promtool cannot parse every expression:\n" + result.output() + "\nrules:\n" + legend);
    }
  }
}
