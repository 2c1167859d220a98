package dev.usher.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.config.KernelNetworkSettings.PortRange;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Values usher starts with but an operator should hear about: a privileged port, a port the kernel
 * may hand to an outgoing connection, a backlog the kernel will cap.
 */
class ConfigWarningsTest {

  @Test
  void theDefaultsWarnAboutNothing() throws Exception {
    assertEquals(List.of(), new ConfigLayers().load().warnings());
  }

  @ParameterizedTest(name = "server.port = {0}")
  @ValueSource(ints = {1, 80, 443, 1023})
  void aPrivilegedPortWarnsThatBindingItNeedsRootOrACapability(int port) throws Exception {
    List<String> warnings =
        new ConfigLayers().property("server.port", Integer.toString(port)).load().warnings();

    assertEquals(
        List.of(
            "server.port = "
                + port
                + " is a privileged port (1-1023): binding it needs root or CAP_NET_BIND_SERVICE"),
        warnings);
  }

  @Test
  void thePrivilegedPortWarningNamesTheAdminPortToo() throws Exception {
    assertEquals(
        List.of(
            "admin.port = 443 is a privileged port (1-1023): binding it needs root or"
                + " CAP_NET_BIND_SERVICE"),
        new ConfigLayers().environment("ADMIN_PORT", "443").load().warnings());
  }

  @ParameterizedTest(name = "server.port = {0}")
  @ValueSource(ints = {0, 1024, 8080, 32767, 61000, 65535})
  void portsOutsideThePrivilegedAndEphemeralRangesWarnAboutNothing(int port) throws Exception {
    assertEquals(
        List.of(),
        new ConfigLayers().property("server.port", Integer.toString(port)).load().warnings());
  }

  @ParameterizedTest(name = "server.port = {0}")
  @ValueSource(ints = {32768, 40000, 60999})
  void aPortInsideTheEphemeralRangeWarnsThatAnOutgoingConnectionMayHoldIt(int port)
      throws Exception {
    List<String> warnings =
        new ConfigLayers().property("server.port", Integer.toString(port)).load().warnings();

    assertEquals(
        List.of(
            "server.port = "
                + port
                + " lies in the kernel's ephemeral port range 32768-60999"
                + " (net.ipv4.ip_local_port_range): an outgoing connection may hold it when usher"
                + " starts"),
        warnings);
  }

  @Test
  void theEphemeralRangeIsTheOneThisKernelReports() throws Exception {
    ConfigLayers layers =
        new ConfigLayers()
            .kernel(new KernelNetworkSettings(4096, Optional.of(new PortRange(1024, 9000))))
            .property("admin.port", "9001");

    assertEquals(
        List.of(
            "server.port = 8080 lies in the kernel's ephemeral port range 1024-9000"
                + " (net.ipv4.ip_local_port_range): an outgoing connection may hold it when usher"
                + " starts"),
        layers.load().warnings());
  }

  @Test
  void withoutAKnownEphemeralRangeNoPortWarnsAboutIt() throws Exception {
    assertEquals(
        List.of(),
        new ConfigLayers()
            .kernel(new KernelNetworkSettings(4096, Optional.empty()))
            .property("server.port", "40000")
            .load()
            .warnings());
  }

  @Test
  void aBacklogAboveSomaxconnWarnsWhatTheKernelWillUseInstead() throws Exception {
    List<String> warnings =
        new ConfigLayers()
            .kernel(new KernelNetworkSettings(128, Optional.empty()))
            .property("server.backlog", "1024")
            .load()
            .warnings();

    assertEquals(
        List.of(
            "server.backlog = 1024 is above net.core.somaxconn = 128: the kernel will use 128"
                + " (raise net.core.somaxconn to allow more)"),
        warnings);
  }

  @ParameterizedTest(name = "server.backlog = {0}")
  @ValueSource(strings = {"auto", "128", "64"})
  void aBacklogWithinSomaxconnWarnsAboutNothing(String backlog) throws Exception {
    assertEquals(
        List.of(),
        new ConfigLayers()
            .kernel(new KernelNetworkSettings(128, Optional.empty()))
            .property("server.backlog", backlog)
            .load()
            .warnings());
  }

  @Test
  void everyConcernIsItsOwnWarning() throws Exception {
    List<String> warnings =
        new ConfigLayers()
            .kernel(new KernelNetworkSettings(128, Optional.of(new PortRange(32768, 60999))))
            .property("server.port", "80")
            .property("admin.port", "40000")
            .property("server.backlog", "256")
            .load()
            .warnings();

    assertEquals(3, warnings.size(), warnings.toString());
    assertTrue(
        warnings.get(0).startsWith("server.port = 80 is a privileged port"), warnings.get(0));
    assertTrue(
        warnings.get(1).startsWith("admin.port = 40000 lies in the kernel's ephemeral port range"),
        warnings.get(1));
    assertTrue(
        warnings.get(2).startsWith("server.backlog = 256 is above net.core.somaxconn = 128:"),
        warnings.get(2));
  }
}
