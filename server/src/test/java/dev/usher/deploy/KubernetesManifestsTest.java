package dev.usher.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.typesafe.config.ConfigFactory;
import dev.usher.deploy.KubernetesManifests.Manifest;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PodMetricsEndpoint;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/kubernetes: every manifest valid against the Kubernetes API's model (fabric8, strict), and
 * the manifests consistent with each other, with the image and with usher's configuration; and the
 * opt-in overlays: deploy/kubernetes-overlays/somaxconn, which adds the one unsafe sysctl, and
 * deploy/kubernetes-overlays/tls, which mounts a certificate Secret for the main listener (the
 * objects it makes are built here as kustomize builds them, {@link KustomizePatches}).
 */
class KubernetesManifestsTest {
  private static final Path DIR = DeployFiles.path("deploy/kubernetes");
  private static final Path SOMAXCONN_OVERLAY =
      DeployFiles.path("deploy/kubernetes-overlays/somaxconn");
  private static final Path TLS_OVERLAY = DeployFiles.path("deploy/kubernetes-overlays/tls");

  /** Where the TLS overlay mounts the Secret, and the two keys a kubernetes.io/tls Secret has. */
  private static final String TLS_MOUNT = "/etc/usher/tls";

  private static final String TLS_CERTIFICATE_KEY = "tls.crt";
  private static final String TLS_PRIVATE_KEY_KEY = "tls.key";

  /**
   * The sysctls every kubelet allows (the Pod Security Standards' baseline set); any other is
   * "unsafe", and a pod that sets it is rejected unless the node's kubelet allows it.
   */
  private static final Set<String> SAFE_SYSCTLS =
      Set.of(
          "kernel.shm_rmid_forced",
          "net.ipv4.ip_local_port_range",
          "net.ipv4.ip_unprivileged_port_start",
          "net.ipv4.tcp_syncookies",
          "net.ipv4.ping_group_range");

  /**
   * What the grace period keeps beyond the preStop sleep and the drain: after the drain timeout
   * usher closes what is left and its event loops, each wait bounded at 5 s, and the JVM exits.
   */
  private static final Duration SHUTDOWN_MARGIN = Duration.ofSeconds(10);

  private static List<Manifest> manifests;
  private static Deployment deployment;
  private static PodTemplateSpec pod;
  private static PodSpec podSpec;
  private static Container usher;

  @BeforeAll
  static void readEveryManifest() {
    manifests = readAll();
    deployment = only(Deployment.class);
    pod = deployment.getSpec().getTemplate();
    podSpec = pod.getSpec();
    usher = podSpec.getContainers().getFirst();
  }

  @Test
  void everyManifestIsAValidKubernetesObject() {
    Set<String> kinds = new TreeSet<>();
    manifests.forEach(manifest -> kinds.add(manifest.resource().getKind()));
    assertEquals(
        Set.of(
            "ConfigMap",
            "Deployment",
            "HorizontalPodAutoscaler",
            "PodDisruptionBudget",
            "PodMonitor",
            "Service"),
        kinds);
    for (Manifest manifest : manifests) {
      assertFalse(
          manifest.resource().getMetadata().getName().isBlank(), manifest.where() + " has a name");
    }
  }

  @Test
  void theStrictReaderRejectsUnknownFieldsAndWrongTypes() {
    JsonNode unknownField =
        yaml(
            """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: x}
        spec:
          replicas: 1
          selector: {matchLabels: {a: b}}
          template:
            metadata: {labels: {a: b}}
            spec:
              containers:
                - name: x
                  image: x
                  readinessProbes: []
        """);
    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class, () -> KubernetesManifests.parse(unknownField, "test"));
    assertTrue(unknown.getMessage().contains("readinessProbes"), unknown.getMessage());

    JsonNode numberForString =
        yaml(
            """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: x}
        data: {somaxconn: 4096}
        """);
    assertThrows(
        IllegalArgumentException.class, () -> KubernetesManifests.parse(numberForString, "test"));

    JsonNode unknownKind =
        yaml("{apiVersion: apps/v1beta1, kind: Deployment, metadata: {name: x}}");
    assertThrows(
        IllegalArgumentException.class, () -> KubernetesManifests.parse(unknownKind, "test"));
  }

  @Test
  void deploymentSelectsItsOwnPods() {
    assertLabelsMatch(deployment.getSpec().getSelector().getMatchLabels(), "Deployment selector");
  }

  @Test
  void serviceSelectsUshersPodsAndTargetsANamedContainerPort() {
    Service service = only(Service.class);
    assertLabelsMatch(service.getSpec().getSelector(), "Service selector");
    for (ServicePort port : service.getSpec().getPorts()) {
      ContainerPort target = containerPort(port.getTargetPort(), "Service port " + port.getName());
      assertEquals(8080, target.getContainerPort(), "the Service fronts the main listener");
    }
  }

  @Test
  void probesAskTheAdminPortsHealthEndpoints() {
    Map<String, Probe> probes = new LinkedHashMap<>();
    probes.put("/health/live", usher.getLivenessProbe());
    probes.put("/health/ready", usher.getReadinessProbe());
    probes.forEach(
        (path, probe) -> {
          assertNotNull(probe, "probe for " + path);
          assertEquals(path, probe.getHttpGet().getPath());
          assertEquals(
              8081,
              containerPort(probe.getHttpGet().getPort(), path + " probe").getContainerPort(),
              path + " on the admin port");
        });
    Probe startup = usher.getStartupProbe();
    if (startup != null) {
      containerPort(startup.getHttpGet().getPort(), "startup probe");
    }
    assertEquals(String.valueOf(configDefault("admin.port")), "8081");
    assertEquals(8080, containerPortNamed("http").getContainerPort());
    assertEquals(8081, containerPortNamed("admin").getContainerPort());
    assertEquals(String.valueOf(configDefault("server.port")), "8080");
  }

  @Test
  void thePreStopSleepIsTheOneWaitAndTheGracePeriodOutlastsItAndTheDrainWithMargin() {
    Duration grace = Duration.ofSeconds(podSpec.getTerminationGracePeriodSeconds());
    Duration preStopSleep =
        Duration.ofSeconds(usher.getLifecycle().getPreStop().getSleep().getSeconds());
    Duration preStopDelay =
        duration(
            env("SHUTDOWN_PRE_STOP_DELAY")
                .orElseGet(() -> configDefault("shutdown.pre-stop-delay")));
    Duration drain =
        duration(
            env("SHUTDOWN_DRAIN_TIMEOUT").orElseGet(() -> configDefault("shutdown.drain-timeout")));

    assertTrue(preStopSleep.isPositive(), "a preStop sleep while endpoints are removed");
    assertEquals(
        Duration.ZERO,
        preStopDelay,
        "shutdown.pre-stop-delay would be a second wait after the preStop sleep");
    assertTrue(
        grace.compareTo(preStopSleep.plus(drain).plus(SHUTDOWN_MARGIN)) >= 0,
        "terminationGracePeriodSeconds "
            + grace.toSeconds()
            + " must cover preStop "
            + preStopSleep
            + " + drain "
            + drain
            + " + margin "
            + SHUTDOWN_MARGIN);
    Matcher arithmetic =
        Pattern.compile("preStop (\\d+)s \\+ drain (\\d+)s \\+ margin (\\d+)s = (\\d+)s")
            .matcher(
                DeployFiles.read(DIR.resolve("deployment.yaml")).replaceAll("\\s*\n#\\s*", " "));
    assertTrue(arithmetic.find(), "deployment.yaml's comment sums up the shutdown");
    assertEquals(
        List.of(
            preStopSleep.toSeconds(),
            drain.toSeconds(),
            grace.minus(preStopSleep).minus(drain).toSeconds(),
            grace.toSeconds()),
        Stream.of(1, 2, 3, 4).map(group -> Long.valueOf(arithmetic.group(group))).toList(),
        "deployment.yaml's comment: preStop + drain + margin = terminationGracePeriodSeconds");
  }

  @Test
  void environmentVariablesAreUshersConfigurationKeys() {
    Map<String, String> envToKey = configurationKeysByVariable();
    List<String> unknown = new ArrayList<>();
    for (EnvVar env : usher.getEnv()) {
      if (!envToKey.containsKey(env.getName())) {
        unknown.add(env.getName());
      }
    }
    assertEquals(List.of(), unknown, "env variables that are no usher configuration key");
    assertEquals(Optional.of("json"), env("LOG_FORMAT"));
  }

  @Test
  void containerRunsConfined() {
    var container = usher.getSecurityContext();
    assertEquals(Boolean.TRUE, container.getRunAsNonRoot(), "runAsNonRoot");
    assertEquals(Boolean.TRUE, container.getReadOnlyRootFilesystem(), "readOnlyRootFilesystem");
    assertEquals(
        Boolean.FALSE, container.getAllowPrivilegeEscalation(), "allowPrivilegeEscalation");
    assertEquals(List.of("ALL"), container.getCapabilities().getDrop(), "capabilities dropped");
    assertEquals(Boolean.TRUE, podSpec.getSecurityContext().getRunAsNonRoot(), "pod runAsNonRoot");
    // The user is the image's: the Dockerfile's USER is numeric so that the kubelet can check it.
    Matcher user =
        Pattern.compile("(?m)^USER (\\d+)(?::(\\d+))?$")
            .matcher(DeployFiles.read(DeployFiles.path("Dockerfile")));
    assertTrue(user.find(), "the Dockerfile has a numeric USER");
    assertEquals(
        Long.valueOf(user.group(1)),
        podSpec.getSecurityContext().getRunAsUser(),
        "runAsUser is the image's user");
    // A read-only root needs a writable /tmp: Netty unpacks its native transport there.
    String tmpVolume =
        usher.getVolumeMounts().stream()
            .filter(mount -> "/tmp".equals(mount.getMountPath()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no volume at /tmp"))
            .getName();
    assertTrue(
        podSpec.getVolumes().stream()
            .anyMatch(v -> v.getName().equals(tmpVolume) && v.getEmptyDir() != null),
        "/tmp is an emptyDir");
  }

  @Test
  void containerHasRequestsAndLimits() {
    var resources = usher.getResources();
    for (String resource : List.of("cpu", "memory")) {
      assertNotNull(resources.getRequests().get(resource), "request for " + resource);
      assertNotNull(resources.getLimits().get(resource), "limit for " + resource);
    }
  }

  @Test
  void theBasePodSetsNoUnsafeSysctlSoAStockClusterAdmitsIt() {
    List<Sysctl> sysctls =
        Optional.ofNullable(podSpec.getSecurityContext().getSysctls()).orElse(List.of());
    assertEquals(
        List.of(),
        sysctls.stream().map(Sysctl::getName).filter(name -> !SAFE_SYSCTLS.contains(name)).toList(),
        "sysctls outside the kubelet's safe set: the pod would be rejected with SysctlForbidden");
    assertTrue(
        DeployFiles.read(DIR.resolve("deployment.yaml"))
            .contains("deploy/kubernetes-overlays/somaxconn"),
        "deployment.yaml points to the overlay that sets net.core.somaxconn");
  }

  @Test
  void theSomaxconnOverlayAddsThatSysctlAloneToTheBaseDeployment() throws IOException {
    JsonNode kustomization = DeployFiles.yaml(SOMAXCONN_OVERLAY.resolve("kustomization.yaml"));
    assertEquals("kustomize.config.k8s.io/v1beta1", kustomization.path("apiVersion").asText());
    List<String> resources = new ArrayList<>();
    kustomization.path("resources").forEach(resource -> resources.add(resource.asText()));
    assertEquals(1, resources.size(), "the base alone: " + resources);
    assertEquals(
        DIR.toRealPath(),
        SOMAXCONN_OVERLAY.resolve(resources.getFirst()).toRealPath(),
        "the overlay's resource is deploy/kubernetes");
    List<String> patches = new ArrayList<>();
    kustomization.path("patches").forEach(patch -> patches.add(patch.path("path").asText()));
    assertEquals(List.of("somaxconn.yaml"), patches);
    assertTrue(
        DeployFiles.read(SOMAXCONN_OVERLAY.resolve("kustomization.yaml"))
            .contains("--allowed-unsafe-sysctls=net.core.somaxconn"),
        "the overlay says how the kubelet must allow the sysctl");

    Path patchFile = SOMAXCONN_OVERLAY.resolve("somaxconn.yaml");
    List<Manifest> patch = KubernetesManifests.read(patchFile);
    assertEquals(1, patch.size(), "one document in " + patchFile);
    Deployment patched = (Deployment) patch.getFirst().resource();
    assertEquals(
        deployment.getMetadata().getName(),
        patched.getMetadata().getName(),
        "the patch targets the base Deployment");
    List<Sysctl> sysctls =
        patched.getSpec().getTemplate().getSpec().getSecurityContext().getSysctls();
    assertEquals(List.of("net.core.somaxconn"), sysctls.stream().map(Sysctl::getName).toList());
    assertTrue(
        Integer.parseInt(sysctls.getFirst().getValue()) > 0,
        "net.core.somaxconn = " + sysctls.getFirst().getValue());
    assertEquals(
        List.of(
            "/apiVersion",
            "/kind",
            "/metadata/name",
            "/spec/template/spec/securityContext/sysctls/0/name",
            "/spec/template/spec/securityContext/sysctls/0/value"),
        leaves(DeployFiles.yaml(patchFile), ""),
        "the patch sets nothing else");
  }

  @Test
  void theTlsOverlayPatchesTheBaseDeploymentAndServiceAndNothingElse() throws IOException {
    JsonNode kustomization = DeployFiles.yaml(TLS_OVERLAY.resolve("kustomization.yaml"));
    assertEquals("kustomize.config.k8s.io/v1beta1", kustomization.path("apiVersion").asText());
    List<String> resources = new ArrayList<>();
    kustomization.path("resources").forEach(resource -> resources.add(resource.asText()));
    assertEquals(1, resources.size(), "the base alone: " + resources);
    assertEquals(
        DIR.toRealPath(),
        TLS_OVERLAY.resolve(resources.getFirst()).toRealPath(),
        "the overlay's resource is deploy/kubernetes");
    Map<String, String> patches = new LinkedHashMap<>();
    kustomization
        .path("patches")
        .forEach(
            patch ->
                patches.put(
                    patch.path("path").asText(),
                    patch.path("target").isMissingNode()
                        ? ""
                        : patch.at("/target/kind").asText()
                            + "/"
                            + patch.at("/target/name").asText()));
    assertEquals(
        Map.of(
            "tls.yaml", "", "service-https.yaml", "Service/" + service().getMetadata().getName()),
        patches,
        "a strategic merge patch of the Deployment (it names its target) and a JSON patch of the"
            + " Service");
    String comment = DeployFiles.read(TLS_OVERLAY.resolve("kustomization.yaml"));
    for (String point :
        List.of("kubernetes.io/tls", "symlink", "server.tls.reload-interval", "subPath")) {
      assertTrue(comment.contains(point), "the overlay's comment explains " + point);
    }
    assertTrue(
        DeployFiles.read(DIR.resolve("deployment.yaml")).contains("deploy/kubernetes-overlays/tls"),
        "deployment.yaml points to the overlay that turns TLS on");
  }

  @Test
  void theTlsOverlayMountsTheCertificateSecretReadOnlyWhereUshersTlsKeysPoint() {
    Deployment tls = tlsOverlayDeployment();
    PodSpec spec = tls.getSpec().getTemplate().getSpec();
    Container container = spec.getContainers().getFirst();

    Volume volume =
        spec.getVolumes().stream()
            .filter(candidate -> candidate.getSecret() != null)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no Secret volume in " + spec.getVolumes()));
    assertFalse(volume.getSecret().getSecretName().isBlank(), "the Secret's name");
    assertTrue(
        volume.getSecret().getItems() == null || volume.getSecret().getItems().isEmpty(),
        "the whole Secret, each key a file of its name (tls.crt, tls.key)");
    assertEquals(
        0440, volume.getSecret().getDefaultMode(), "readable by the owner and fsGroup alone");
    assertEquals(
        spec.getSecurityContext().getRunAsGroup(),
        spec.getSecurityContext().getFsGroup(),
        "the files' group (fsGroup) is usher's");

    VolumeMount mount =
        container.getVolumeMounts().stream()
            .filter(candidate -> candidate.getName().equals(volume.getName()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("the Secret volume is not mounted"));
    assertEquals(TLS_MOUNT, mount.getMountPath());
    assertEquals(Boolean.TRUE, mount.getReadOnly(), "mounted read-only");
    assertTrue(
        mount.getSubPath() == null && mount.getSubPathExpr() == null,
        "no subPath: the kubelet never updates a subPath mount, so a renewed certificate would"
            + " never reach usher");

    Map<String, String> environment = new LinkedHashMap<>();
    container.getEnv().forEach(env -> environment.put(env.getName(), env.getValue()));
    Map<String, String> envToKey = configurationKeysByVariable();
    assertEquals("server.tls.certificate", envToKey.get("SERVER_TLS_CERTIFICATE"));
    assertEquals("server.tls.private-key", envToKey.get("SERVER_TLS_PRIVATE_KEY"));
    assertEquals(TLS_MOUNT + "/" + TLS_CERTIFICATE_KEY, environment.get("SERVER_TLS_CERTIFICATE"));
    assertEquals(TLS_MOUNT + "/" + TLS_PRIVATE_KEY_KEY, environment.get("SERVER_TLS_PRIVATE_KEY"));
    List<String> unknown =
        environment.keySet().stream().filter(name -> !envToKey.containsKey(name)).toList();
    assertEquals(List.of(), unknown, "env variables that are no usher configuration key");
  }

  @Test
  void theTlsOverlayLeavesTheProbesOnThePlainAdminPortAndAllElseAsTheBaseHasIt() {
    Deployment tls = tlsOverlayDeployment();
    Container container = tls.getSpec().getTemplate().getSpec().getContainers().getFirst();
    assertEquals(usher.getStartupProbe(), container.getStartupProbe(), "startup probe");
    assertEquals(usher.getLivenessProbe(), container.getLivenessProbe(), "liveness probe");
    assertEquals(usher.getReadinessProbe(), container.getReadinessProbe(), "readiness probe");
    assertEquals(
        "HTTP",
        Optional.ofNullable(container.getReadinessProbe().getHttpGet().getScheme()).orElse("HTTP"),
        "the admin port stays plain HTTP");

    // Without the Secret's volume, its mount and the two variables, the base Deployment again.
    JsonNode built = tlsOverlayDeploymentTree().deepCopy();
    JsonNode podTree = built.at("/spec/template/spec");
    JsonNode containerTree = podTree.at("/containers/0");
    removeWhere((ArrayNode) podTree.get("volumes"), "name", "tls");
    removeWhere((ArrayNode) containerTree.get("volumeMounts"), "mountPath", TLS_MOUNT);
    removeWhere((ArrayNode) containerTree.get("env"), "name", "SERVER_TLS_CERTIFICATE");
    removeWhere((ArrayNode) containerTree.get("env"), "name", "SERVER_TLS_PRIVATE_KEY");
    assertEquals(
        DeployFiles.yaml(DIR.resolve("deployment.yaml")),
        built,
        "the overlay changes nothing else in the Deployment");
  }

  @Test
  void theTlsOverlaysServiceAnswersHttpsOn443FromTheMainListener() {
    JsonNode base = DeployFiles.yaml(DIR.resolve("service.yaml"));
    JsonNode operations = DeployFiles.yaml(TLS_OVERLAY.resolve("service-https.yaml"));
    Service https =
        (Service)
            KubernetesManifests.parse(
                KustomizePatches.jsonPatch(base, operations), "service.yaml + service-https.yaml");
    assertEquals(1, https.getSpec().getPorts().size(), https.getSpec().getPorts().toString());
    ServicePort port = https.getSpec().getPorts().getFirst();
    assertEquals(
        List.of("https", 443, "https"),
        List.of(port.getName(), port.getPort(), port.getAppProtocol()));
    assertEquals(
        8080,
        containerPort(port.getTargetPort(), "the https Service port").getContainerPort(),
        "to the main listener");
    assertEquals(service().getSpec().getSelector(), https.getSpec().getSelector());
  }

  @Test
  void theOverlayPatchesMergeListsByTheirKubernetesKeysAndReplaceOthers() {
    JsonNode base =
        yaml(
            """
        containers:
          - {name: a, env: [{name: X, value: "1"}], args: [p, q]}
          - {name: b}
        """);
    JsonNode patch =
        yaml(
            """
        containers:
          - {name: a, env: [{name: X, value: "2"}, {name: Y, value: "3"}], args: [r]}
        """);
    assertEquals(
        yaml(
            """
        containers:
          - {name: a, env: [{name: X, value: "2"}, {name: Y, value: "3"}], args: [r]}
          - {name: b}
        """),
        KustomizePatches.strategicMerge(base, patch));
    assertEquals(
        yaml("{ports: [{port: 443}], other: 1}"),
        KustomizePatches.jsonPatch(
            yaml("{ports: [{port: 80}], other: 1}"),
            yaml("[{op: replace, path: /ports/0, value: {port: 443}}]")));
  }

  @Test
  void annotationsPointPrometheusAtTheAdminPortsMetrics() {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    assertEquals("true", annotations.get("prometheus.io/scrape"));
    assertEquals("/metrics", annotations.get("prometheus.io/path"));
    assertEquals(
        String.valueOf(containerPortNamed("admin").getContainerPort()),
        annotations.get("prometheus.io/port"));
  }

  @Test
  void podMonitorScrapesTheAdminPortAsJobUsher() {
    PodMonitor monitor = only(PodMonitor.class);
    assertLabelsMatch(monitor.getSpec().getSelector().getMatchLabels(), "PodMonitor selector");
    for (PodMetricsEndpoint endpoint : monitor.getSpec().getPodMetricsEndpoints()) {
      assertEquals(
          8081,
          containerPortNamed(endpoint.getPort()).getContainerPort(),
          "PodMonitor scrapes the admin port");
      assertEquals("/metrics", endpoint.getPath());
    }
    assertEquals(
        "usher",
        pod.getMetadata().getLabels().get(monitor.getSpec().getJobLabel()),
        "job label value is usher, as the alerts expect");
  }

  @Test
  void disruptionBudgetKeepsOnePodAndStillAllowsDrains() {
    PodDisruptionBudget budget = only(PodDisruptionBudget.class);
    assertLabelsMatch(
        budget.getSpec().getSelector().getMatchLabels(), "PodDisruptionBudget selector");
    int minAvailable = budget.getSpec().getMinAvailable().getIntVal();
    HorizontalPodAutoscaler autoscaler = only(HorizontalPodAutoscaler.class);
    assertTrue(minAvailable >= 1, "at least one pod stays");
    assertTrue(minAvailable < deployment.getSpec().getReplicas(), "a node drain can evict a pod");
    assertTrue(
        minAvailable < autoscaler.getSpec().getMinReplicas(), "even at the autoscaler's minimum");
  }

  @Test
  void autoscalerScalesTheDeploymentOnTheAdaptersListenQueuePressure() throws IOException {
    HorizontalPodAutoscaler autoscaler = only(HorizontalPodAutoscaler.class);
    var target = autoscaler.getSpec().getScaleTargetRef();
    assertEquals(
        List.of("apps/v1", "Deployment", deployment.getMetadata().getName()),
        List.of(target.getApiVersion(), target.getKind(), target.getName()));
    assertTrue(autoscaler.getSpec().getMinReplicas() <= autoscaler.getSpec().getMaxReplicas());
    MetricSpec pressure =
        autoscaler.getSpec().getMetrics().stream()
            .filter(metric -> "Pods".equals(metric.getType()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no Pods metric"));
    JsonNode rule = adapterRule();
    assertEquals(
        rule.at("/name/as").asText(),
        pressure.getPods().getMetric().getName(),
        "the HPA's metric is the one the adapter serves");
    assertEquals("AverageValue", pressure.getPods().getTarget().getType());
    assertNotNull(pressure.getPods().getTarget().getAverageValue());
  }

  @Test
  void adapterRuleDividesThePeakByTheLimitPerPod() throws IOException {
    JsonNode rule = adapterRule();
    assertTrue(
        rule.path("seriesQuery").asText().startsWith("server_listen_queue_peak{"),
        "series: server_listen_queue_peak");
    assertEquals("namespace", rule.at("/resources/overrides/namespace/resource").asText());
    assertEquals("pod", rule.at("/resources/overrides/pod/resource").asText());
    String query = rule.path("metricsQuery").asText();
    assertTrue(query.contains("server_listen_queue_limit"), query);
    assertTrue(
        adapterQueryAsPromql(query).contains("server_listen_queue_peak"),
        "<<.Series>> is the peak");
  }

  @Test
  void adapterQueryParsesAsPromql(@TempDir Path scratch) throws IOException {
    String promql = adapterQueryAsPromql(adapterRule().path("metricsQuery").asText());
    Promtool.assertParses(scratch, Map.of("prometheus-adapter metricsQuery", promql));
  }

  @Test
  void kustomizationListsTheCoreManifestsAndNamesTheImage() {
    JsonNode kustomization = DeployFiles.yaml(DIR.resolve("kustomization.yaml"));
    assertEquals("kustomize.config.k8s.io/v1beta1", kustomization.path("apiVersion").asText());
    List<String> resources = new ArrayList<>();
    kustomization.path("resources").forEach(resource -> resources.add(resource.asText()));
    resources.forEach(
        resource -> assertTrue(Files.isRegularFile(DIR.resolve(resource)), resource + " exists"));
    assertTrue(
        resources.containsAll(
            List.of(
                "deployment.yaml",
                "service.yaml",
                "poddisruptionbudget.yaml",
                "horizontalpodautoscaler.yaml")),
        resources.toString());
    String imageName = usher.getImage().split(":")[0];
    assertEquals(
        imageName,
        kustomization.at("/images/0/name").asText(),
        "kustomize's image entry names the container's image");
  }

  /** The overlay's Deployment as kustomize builds it: the base with tls.yaml merged in. */
  private static JsonNode tlsOverlayDeploymentTree() {
    return KustomizePatches.strategicMerge(
        DeployFiles.yaml(DIR.resolve("deployment.yaml")),
        DeployFiles.yaml(TLS_OVERLAY.resolve("tls.yaml")));
  }

  private static Deployment tlsOverlayDeployment() {
    return (Deployment)
        KubernetesManifests.parse(tlsOverlayDeploymentTree(), "deployment.yaml + tls.yaml");
  }

  private static Service service() {
    return only(Service.class);
  }

  private static void removeWhere(ArrayNode list, String field, String value) {
    for (int i = list.size() - 1; i >= 0; i--) {
      if (value.equals(list.get(i).path(field).asText())) {
        list.remove(i);
      }
    }
  }

  /** usher's configuration keys by their environment variable (SERVER_PORT: server.port). */
  private static Map<String, String> configurationKeysByVariable() {
    Map<String, String> envToKey = new HashMap<>();
    ConfigFactory.parseFile(DeployFiles.path("config/usher-defaults.conf").toFile())
        .entrySet()
        .forEach(
            entry ->
                envToKey.put(
                    entry.getKey().toUpperCase().replace('.', '_').replace('-', '_'),
                    entry.getKey()));
    return envToKey;
  }

  private static JsonNode adapterRule() throws IOException {
    ConfigMap adapter = only(ConfigMap.class);
    JsonNode config = DeployFiles.YAML.readTree(adapter.getData().get("config.yaml"));
    JsonNode rules = config.path("rules");
    assertEquals(1, rules.size(), "one adapter rule");
    return rules.get(0);
  }

  /** The adapter's Go template with the values it fills in for a pods metric of one namespace. */
  private static String adapterQueryAsPromql(String metricsQuery) {
    return metricsQuery
        .replace("<<.Series>>", "server_listen_queue_peak")
        .replace("<<.LabelMatchers>>", "namespace=\"default\",pod=~\"usher-1|usher-2\"")
        .replace("<<.GroupBy>>", "pod");
  }

  private static void assertLabelsMatch(Map<String, String> selector, String what) {
    assertNotNull(selector, what);
    assertFalse(selector.isEmpty(), what + " is not empty");
    Map<String, String> podLabels = pod.getMetadata().getLabels();
    selector.forEach(
        (key, value) ->
            assertEquals(
                value,
                podLabels.get(key),
                what + " " + key + "=" + value + " against the pod's labels " + podLabels));
  }

  private static ContainerPort containerPort(IntOrString port, String what) {
    assertNotNull(port, what + " has a port");
    if (port.getStrVal() != null) {
      return containerPortNamed(port.getStrVal());
    }
    return usher.getPorts().stream()
        .filter(candidate -> candidate.getContainerPort().equals(port.getIntVal()))
        .findFirst()
        .orElseThrow(() -> new AssertionError(what + ": no container port " + port.getIntVal()));
  }

  private static ContainerPort containerPortNamed(String name) {
    return usher.getPorts().stream()
        .filter(port -> name.equals(port.getName()))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "no container port named '" + name + "' in " + usher.getPorts()));
  }

  private static Optional<String> env(String name) {
    return usher.getEnv().stream()
        .filter(env -> name.equals(env.getName()))
        .map(EnvVar::getValue)
        .findFirst();
  }

  private static String configDefault(String key) {
    return ConfigFactory.parseFile(DeployFiles.path("config/usher-defaults.conf").toFile())
        .getValue(key)
        .unwrapped()
        .toString();
  }

  /** A duration as usher's configuration reads it (HOCON: 500ms, 5s, 2m). */
  static Duration duration(String value) {
    return ConfigFactory.parseString("d = \"" + value + "\"").getDuration("d");
  }

  /** The JSON pointers of every scalar under {@code node}, in document order. */
  private static List<String> leaves(JsonNode node, String pointer) {
    if (!node.isContainerNode()) {
      return List.of(pointer);
    }
    List<String> leaves = new ArrayList<>();
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        leaves.addAll(leaves(node.get(i), pointer + "/" + i));
      }
    } else {
      node.properties()
          .forEach(
              field -> leaves.addAll(leaves(field.getValue(), pointer + "/" + field.getKey())));
    }
    return leaves;
  }

  private static JsonNode yaml(String text) {
    try {
      return DeployFiles.YAML.readTree(text);
    } catch (IOException unparsable) {
      throw new AssertionError(unparsable);
    }
  }

  private static List<Manifest> readAll() {
    try (Stream<Path> files = Files.list(DIR)) {
      return files
          .filter(
              file ->
                  file.toString().endsWith(".yaml")
                      && !file.getFileName().toString().equals("kustomization.yaml"))
          .sorted()
          .flatMap(file -> KubernetesManifests.read(file).stream())
          .collect(Collectors.toList());
    } catch (IOException unreadable) {
      throw new AssertionError(unreadable);
    }
  }

  private static <T extends HasMetadata> T only(Class<T> type) {
    List<T> found =
        manifests.stream()
            .map(Manifest::resource)
            .filter(type::isInstance)
            .map(type::cast)
            .toList();
    assertEquals(1, found.size(), "one " + type.getSimpleName() + " in deploy/kubernetes");
    return found.getFirst();
  }
}
