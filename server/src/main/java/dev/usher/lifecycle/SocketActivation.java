package dev.usher.lifecycle;

import dev.usher.config.UsherConfig;
import dev.usher.transport.SocketDescriptors;
import io.netty.channel.unix.FileDescriptor;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening sockets systemd passes by socket activation ({@code sd_listen_fds(3)}): {@code
 * LISTEN_FDS} descriptors from fd 3 on, meant for the process {@code LISTEN_PID}, named by {@code
 * LISTEN_FDNAMES}. usher adopts them instead of binding its listeners: each is the admin or a main
 * socket by its name ({@code admin}, {@code main}; {@code main-0}, {@code main-1}, ... too) or,
 * named otherwise (systemd's default name is the socket unit's), by its port against {@code
 * admin.port} and {@code server.port}. Anything that does not fit is one line naming the variable
 * or key (exit 2).
 *
 * <p>An immutable reading of the environment, taken once at start by the command line, which also
 * {@linkplain #unsetEnvironment unsets} the variables so that no program usher runs inherits them.
 */
public final class SocketActivation {
  private static final Logger log = LoggerFactory.getLogger(SocketActivation.class);

  /** {@code SD_LISTEN_FDS_START}: the first descriptor systemd passes. */
  static final int FIRST_DESCRIPTOR = 3;

  static final String LISTEN_PID = "LISTEN_PID";
  static final String LISTEN_FDS = "LISTEN_FDS";
  static final String LISTEN_FDNAMES = "LISTEN_FDNAMES";
  private static final List<String> VARIABLES = List.of(LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES);
  private static final Pattern MAIN_NAME = Pattern.compile("main(-[0-9]+)?");

  private final Optional<String> listenPid;
  private final Optional<String> listenFds;
  private final Optional<String> listenFdNames;
  private final long pid;

  private SocketActivation(
      Optional<String> listenPid,
      Optional<String> listenFds,
      Optional<String> listenFdNames,
      long pid) {
    this.listenPid = listenPid;
    this.listenFds = listenFds;
    this.listenFdNames = listenFdNames;
    this.pid = pid;
  }

  /** No socket activation: usher binds its listeners (or takes them over by hand-over). */
  public static SocketActivation none() {
    return new SocketActivation(Optional.empty(), Optional.empty(), Optional.empty(), 0);
  }

  /** What {@code environment} says for the process {@code pid}; nothing is checked yet. */
  public static SocketActivation fromEnvironment(Map<String, String> environment, long pid) {
    return new SocketActivation(
        Optional.ofNullable(environment.get(LISTEN_PID)),
        Optional.ofNullable(environment.get(LISTEN_FDS)),
        Optional.ofNullable(environment.get(LISTEN_FDNAMES)),
        pid);
  }

  /** Whether any of systemd's variables is set, so that there is something to unset. */
  public boolean inEnvironment() {
    return listenPid.isPresent() || listenFds.isPresent() || listenFdNames.isPresent();
  }

  /**
   * Removes {@code LISTEN_PID}, {@code LISTEN_FDS} and {@code LISTEN_FDNAMES} from this process's
   * environment ({@code unsetenv(3)}), as {@code sd_listen_fds(1)} does: a program started from
   * here must not take the sockets for its own. Call it before any other thread may read the
   * environment. (The JVM's own copy, {@code System.getenv()}, is taken at its start and keeps
   * them; usher reads it once, here.)
   */
  public static void unsetEnvironment() {
    try (Arena arena = Arena.ofConfined()) {
      for (String variable : VARIABLES) {
        int unused = (int) Unsetenv.HANDLE.invokeExact(arena.allocateFrom(variable));
      }
    } catch (Throwable unexpected) {
      throw new IllegalStateException("unsetenv failed", unexpected);
    }
  }

  /**
   * Whether systemd passed sockets to this process: {@code LISTEN_PID} is this process and {@code
   * LISTEN_FDS} is set and not 0. A malformed value counts as passed, to fail in {@link #adopt}.
   */
  public boolean passed() {
    return forThisProcess() && !listenFds.get().strip().equals("0");
  }

  // sd_listen_fds(3): variables without LISTEN_PID, or for another pid, are not this process's.
  private boolean forThisProcess() {
    return listenFds.isPresent()
        && listenPid.isPresent()
        && (isMalformedPid() || listenPid.get().strip().equals(Long.toString(pid)));
  }

  /**
   * Why variables that are set are not this process's, for the log: {@code LISTEN_PID} missing or
   * naming another process (a parent's, say). Empty when they are, or when none is set.
   */
  Optional<String> ignored() {
    if (listenFds.isEmpty() || forThisProcess()) {
      return Optional.empty();
    }
    return Optional.of(
        listenPid.isEmpty()
            ? "LISTEN_FDS is set without LISTEN_PID: ignored (sd_listen_fds(3)); binding the"
                + " listeners"
            : "LISTEN_PID = "
                + listenPid.get()
                + " is not this process (pid "
                + pid
                + "): the sockets are another process's; binding the listeners");
  }

  private boolean isMalformedPid() {
    return listenPid.isPresent() && !listenPid.get().strip().matches("[1-9][0-9]*");
  }

  /** The origin of a mismatch line: the variables as systemd set them, and what to change. */
  AdoptedListeners.Origin origin() {
    String where =
        "systemd's socket activation ("
            + LISTEN_FDS
            + " = "
            + listenFds.orElse("")
            + listenFdNames.map(names -> ", " + LISTEN_FDNAMES + " = " + names).orElse("")
            + ")";
    return new AdoptedListeners.Origin() {
      @Override
      public String where() {
        return where;
      }

      @Override
      public String keepsAddress(String key, String socketValue) {
        return "set " + key + " to " + socketValue + ", or change the .socket unit's ListenStream=";
      }

      @Override
      public String keepsAcceptMode() {
        return "server.accept-mode = boss takes one main socket; reuseport one per worker loop"
            + " (server.worker-threads), each with ReusePort=yes in its .socket unit";
      }

      @Override
      public boolean socketsAreConfiguration() {
        return true;
      }
    };
  }

  /** What usher asks of a descriptor before it adopts it; the kernel's answers in production. */
  interface DescriptorProbe {
    DescriptorProbe KERNEL =
        new DescriptorProbe() {
          @Override
          public boolean isListeningTcpSocket(int fd) {
            return SocketDescriptors.isListeningTcpSocket(fd);
          }

          @Override
          public int localPort(int fd) {
            return SocketDescriptors.localPort(fd);
          }
        };

    boolean isListeningTcpSocket(int fd);

    int localPort(int fd);
  }

  /** The passed descriptors, in the order usher's listeners take them: admin, then main ones. */
  record Assignment(List<String> names, List<Integer> descriptors, String matchedBy) {}

  /**
   * Adopts the passed sockets: assigns each to a listener, checks them against the configuration
   * ({@link AdoptedListeners}), makes them non-blocking and close-on-exec.
   *
   * @param mainNames this process's main socket names ({@code main}, or {@code main-0}, ...)
   */
  AdoptedListeners adopt(UsherConfig config, List<String> mainNames) throws StartupException {
    Assignment assignment = assign(config, mainNames, DescriptorProbe.KERNEL);
    List<FileDescriptor> descriptors = new ArrayList<>();
    for (int fd : assignment.descriptors()) {
      SocketDescriptors.setCloseOnExec(fd);
      descriptors.add(new FileDescriptor(fd));
    }
    AdoptedListeners adopted =
        AdoptedListeners.check(origin(), assignment.names(), descriptors, config, mainNames);
    log.info(
        "socket activation: adopted the listening sockets {} (fds {}) from systemd, matched {};"
            + " non-blocking, close-on-exec",
        assignment.names(),
        assignment.descriptors(),
        assignment.matchedBy());
    return adopted;
  }

  /** Which passed descriptor is which listener's; every rule of matching is here. */
  Assignment assign(UsherConfig config, List<String> mainNames, DescriptorProbe probe)
      throws StartupException {
    if (isMalformedPid()) {
      throw invalid(LISTEN_PID, listenPid.get(), "a process id (a whole number above 0)");
    }
    String count = listenFds.orElse("").strip();
    if (!count.matches("[1-9][0-9]{0,3}")) {
      throw invalid(
          LISTEN_FDS,
          listenFds.orElse(""),
          "the number of descriptors systemd passes from fd " + FIRST_DESCRIPTOR + " on");
    }
    int passed = Integer.parseInt(count);
    List<Integer> fds =
        IntStream.range(FIRST_DESCRIPTOR, FIRST_DESCRIPTOR + passed).boxed().toList();
    List<String> names =
        listenFdNames.map(value -> List.of(value.split(":", -1))).orElse(List.of());
    if (listenFdNames.isPresent() && names.size() != passed) {
      throw invalid(
          LISTEN_FDNAMES,
          listenFdNames.get(),
          "one name for each of the "
              + passed
              + " descriptors of "
              + LISTEN_FDS
              + " = "
              + count
              + ", separated by ':'");
    }
    for (int index = 0; index < passed; index++) {
      int fd = fds.get(index);
      if (!probe.isListeningTcpSocket(fd)) {
        throw descriptorsRefused(
            count,
            "descriptor "
                + fd
                + describeName(names, index)
                + " is not a listening TCP socket; socket activation for usher needs"
                + " ListenStream= sockets (Accept=no)");
      }
    }

    int adminPort = config.admin().port();
    int serverPort = config.server().port();
    List<Integer> admin = new ArrayList<>();
    List<Integer> main = new ArrayList<>();
    boolean byName = false;
    boolean byPort = false;
    for (int index = 0; index < passed; index++) {
      int fd = fds.get(index);
      String name = names.isEmpty() ? "" : names.get(index);
      if (name.equals(HandoverProtocol.ADMIN_SOCKET)) {
        admin.add(fd);
        byName = true;
      } else if (MAIN_NAME.matcher(name).matches()) {
        main.add(fd);
        byName = true;
      } else {
        int port = probe.localPort(fd);
        if (adminPort != 0 && port == adminPort) {
          admin.add(fd);
        } else if (serverPort != 0 && port == serverPort) {
          main.add(fd);
        } else {
          throw descriptorsRefused(
              count,
              "descriptor "
                  + fd
                  + describeName(names, index)
                  + " listens on port "
                  + port
                  + ", which is neither server.port = "
                  + serverPort
                  + " nor admin.port = "
                  + adminPort
                  + "; name it main or admin (FileDescriptorName= in its .socket unit), or set"
                  + " the port to match");
        }
        byPort = true;
      }
    }
    if (admin.size() != 1) {
      throw descriptorsRefused(
          count,
          "systemd passed "
              + (admin.isEmpty() ? "no socket" : admin.size() + " sockets " + admin)
              + " for the admin listener, which needs one: named admin (FileDescriptorName=admin)"
              + " or listening on admin.port = "
              + adminPort);
    }
    if (main.size() != mainNames.size()) {
      throw StartupException.badConfiguration(
          "invalid configuration: server.accept-mode = "
              + config.server().acceptMode().name().toLowerCase(java.util.Locale.ROOT)
              + " takes "
              + mainNames.size()
              + " main socket(s): systemd passed "
              + main.size()
              + (main.isEmpty() ? "" : " " + main)
              + " ("
              + LISTEN_FDS
              + " = "
              + count
              + listenFdNames.map(value -> ", " + LISTEN_FDNAMES + " = " + value).orElse("")
              + "), named main or listening on server.port = "
              + serverPort,
          null);
    }
    List<String> assignedNames = new ArrayList<>();
    assignedNames.add(HandoverProtocol.ADMIN_SOCKET);
    assignedNames.addAll(mainNames);
    List<Integer> descriptors = new ArrayList<>(admin);
    descriptors.addAll(main);
    String matchedBy =
        byName && byPort
            ? "by name (" + LISTEN_FDNAMES + ") and by port"
            : byName ? "by name (" + LISTEN_FDNAMES + ")" : "by port";
    return new Assignment(assignedNames, descriptors, matchedBy);
  }

  private static String describeName(List<String> names, int index) {
    return names.isEmpty() ? "" : " (named " + names.get(index) + " in " + LISTEN_FDNAMES + ")";
  }

  private static StartupException descriptorsRefused(String count, String why) {
    return StartupException.badConfiguration(
        "invalid configuration: " + LISTEN_FDS + " = " + count + ": " + why, null);
  }

  private static StartupException invalid(String variable, String value, String allowed) {
    return StartupException.badConfiguration(
        "invalid configuration: "
            + variable
            + " = "
            + value
            + " (socket activation): expected "
            + allowed,
        null);
  }

  // Restricted by design: the jar's manifest enables native access, as for SocketDescriptors.
  private static final class Unsetenv {
    @SuppressWarnings("restricted")
    static final MethodHandle HANDLE =
        Linker.nativeLinker()
            .downcallHandle(
                Linker.nativeLinker().defaultLookup().find("unsetenv").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
  }
}
