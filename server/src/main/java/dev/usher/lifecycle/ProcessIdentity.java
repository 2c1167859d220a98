package dev.usher.lifecycle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Who this process runs as, for the hand-over's peer check. */
final class ProcessIdentity {
  private ProcessIdentity() {}

  /** The effective uid: {@code /proc/self} belongs to it. */
  static int uid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException cannotRead) {
      throw new UncheckedIOException("cannot read this process's uid from /proc/self", cannotRead);
    }
  }
}
