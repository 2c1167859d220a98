package dev.usher.testing;

import java.io.File;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;

/**
 * Outside programs the tests drive. Where one is missing the test is skipped with the Debian
 * package to install, except under CI ({@code CI=true}), where a missing tool fails the run.
 */
public final class ExternalTools {
  private ExternalTools() {}

  public static boolean isCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** Whether {@code program} is on the PATH. */
  public static boolean isInstalled(String program) {
    String path = System.getenv().getOrDefault("PATH", "");
    return Arrays.stream(path.split(File.pathSeparator))
        .anyMatch(directory -> new File(directory, program).canExecute());
  }

  /** Skips the test (fails it under CI) unless {@code program} is installed. */
  public static void require(String program, String debianPackage) {
    if (isInstalled(program)) {
      return;
    }
    String message = program + " is not installed: apt-get install " + debianPackage;
    if (isCi()) {
      throw new AssertionError(message + " (CI=true: a missing tool fails the run)");
    }
    Assumptions.abort(message);
  }
}
