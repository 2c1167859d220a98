package dev.usher.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class ExternalToolsTest {

  @Test
  void findsAProgramOnThePath(@TempDir Path bin) throws IOException {
    Path tool =
        Files.createFile(
            bin.resolve("sometool"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    assertEquals(
        tool, ExternalTools.require("sometool", "some-package", "/nonexistent:" + bin, false));
  }

  @Test
  void skipsWithTheDebianPackageWhenTheProgramIsMissing(@TempDir Path emptyBin) {
    TestAbortedException skipped =
        assertThrows(
            TestAbortedException.class,
            () -> ExternalTools.require("promtool", "prometheus", emptyBin.toString(), false));
    assertTrue(skipped.getMessage().contains("apt-get install prometheus"), skipped.getMessage());
  }

  @Test
  void failsUnderCiWhenTheProgramIsMissing(@TempDir Path emptyBin) {
    AssertionFailedError failed =
        assertThrows(
            AssertionFailedError.class,
            () -> ExternalTools.require("promtool", "prometheus", emptyBin.toString(), true));
    assertTrue(failed.getMessage().contains("CI=true"), failed.getMessage());
    assertTrue(failed.getMessage().contains("apt-get install prometheus"), failed.getMessage());
  }

  @Test
  void runReportsTheExitCodeAndTheOutput() {
    ExternalTools.Result result =
        ExternalTools.run(
            Duration.ofSeconds(30), List.of("sh", "-c", "echo out; echo err >&2; exit 3"));
    assertEquals(3, result.exitCode());
    assertTrue(result.output().contains("out") && result.output().contains("err"), result.output());
    assertThrows(AssertionFailedError.class, result::assertSucceeded);
  }
}
