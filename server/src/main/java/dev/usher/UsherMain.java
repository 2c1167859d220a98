package dev.usher;

import dev.usher.app.BuiltInApplications;
import dev.usher.config.ConfigEntry;
import dev.usher.config.ConfigLoader;
import dev.usher.config.InvalidConfigException;
import dev.usher.config.KernelNetworkSettings;
import dev.usher.config.LoadedConfig;
import dev.usher.lifecycle.LoggingSetup;
import dev.usher.lifecycle.ServerProcess;
import dev.usher.lifecycle.SocketActivation;
import dev.usher.lifecycle.StartupException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The command line: {@code java -jar usher-server.jar [--config FILE] [--print-config]}.
 *
 * <p>Exit status: 0 after a clean shutdown, 1 when the server cannot start (a port in use, say), 2
 * for a bad command line or configuration (a TLS file usher cannot use included).
 */
public final class UsherMain {
  static final int EXIT_OK = 0;
  static final int EXIT_START_FAILED = 1;
  static final int EXIT_BAD_CONFIGURATION = 2;
  private static final String USAGE =
      "usage: java -jar usher-server.jar [--config FILE] [--print-config] [--help]";

  private UsherMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    CommandLine commandLine;
    try {
      commandLine = CommandLine.parse(args);
    } catch (IllegalArgumentException badArgument) {
      err.println("usher: " + badArgument.getMessage() + "; " + USAGE);
      return EXIT_BAD_CONFIGURATION;
    }
    if (commandLine.help()) {
      out.println(USAGE);
      return EXIT_OK;
    }

    // Read and unset before anything else runs: no program usher starts may take the sockets.
    SocketActivation activation =
        SocketActivation.fromEnvironment(System.getenv(), ProcessHandle.current().pid());
    if (activation.inEnvironment()) {
      SocketActivation.unsetEnvironment();
    }
    KernelNetworkSettings kernel = KernelNetworkSettings.read();
    LoadedConfig loaded;
    try {
      loaded =
          new ConfigLoader(System.getenv(), System.getProperties(), kernel)
              .load(commandLine.configFile());
    } catch (InvalidConfigException invalid) {
      err.println("usher: " + invalid.getMessage());
      return EXIT_BAD_CONFIGURATION;
    }
    if (commandLine.printConfig()) {
      for (ConfigEntry entry : loaded.entries()) {
        out.println(entry.key() + " = " + entry.value() + "  # " + entry.source());
      }
      return EXIT_OK;
    }

    LoggingSetup.apply(
        loaded.config().log(), System.getProperty("logback.configurationFile") != null);
    try {
      return new ServerProcess(loaded, kernel, activation)
          .runUntilShutdown(BuiltInApplications::forConfig);
    } catch (StartupException cannotStart) {
      // Logged too, for log collectors; this line is for the operator at a terminal.
      if (cannotStart.badConfiguration()) {
        err.println("usher: " + cannotStart.getMessage());
        return EXIT_BAD_CONFIGURATION;
      }
      err.println("usher: cannot start: " + cannotStart.getMessage());
      return EXIT_START_FAILED;
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      return EXIT_START_FAILED;
    } finally {
      LoggingSetup.finish();
    }
  }

  /** The parsed command line. */
  record CommandLine(Optional<Path> configFile, boolean printConfig, boolean help) {
    static CommandLine parse(String[] args) {
      Optional<Path> configFile = Optional.empty();
      boolean printConfig = false;
      boolean help = false;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--config" -> {
            if (i + 1 >= args.length) {
              throw new IllegalArgumentException("--config needs a FILE");
            }
            configFile = Optional.of(Path.of(args[++i]));
          }
          case "--print-config" -> printConfig = true;
          case "--help", "-h" -> help = true;
          default -> throw new IllegalArgumentException("unknown argument " + args[i]);
        }
      }
      return new CommandLine(configFile, printConfig, help);
    }
  }
}
