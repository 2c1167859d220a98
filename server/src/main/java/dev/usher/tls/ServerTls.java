package dev.usher.tls;

import dev.usher.config.TlsConfig;
import dev.usher.connection.PipelineNames;
import dev.usher.metrics.TlsMeters;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS on the main listener: the context new connections get, its meters, and the reload that
 * replaces the context when the certificate files change (new connections get the new pair, open
 * ones keep theirs; a bad new pair is refused and counted, the old one stays).
 */
public final class ServerTls implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServerTls.class);

  private final TlsConfig config;
  private final SslProvider provider;
  private final List<String> applicationProtocols;
  private final List<X509Certificate> trust;
  private final Optional<SessionResumption> resumption;
  private final TlsMeters meters;
  private final ScheduledExecutorService reloader;
  private volatile Served served;
  private byte[] refusedDigest;

  private record Served(SslContext context, TlsCredentials credentials) {}

  private ServerTls(
      TlsConfig config,
      TlsProviders.Choice provider,
      List<String> applicationProtocols,
      TlsCredentials credentials,
      MeterRegistry registry,
      String listener)
      throws TlsFileException {
    this.config = config;
    this.provider = provider.provider();
    this.applicationProtocols = applicationProtocols;
    this.trust =
        config.trustCertificates().isPresent()
            ? TlsCredentials.trustCertificates(config.trustCertificates().get())
            : List.of();
    this.served = new Served(context(credentials), credentials);
    StringBuilder whyNoResumptions = new StringBuilder();
    this.resumption =
        this.provider == SslProvider.OPENSSL
            ? SessionResumption.forOpenSsl(whyNoResumptions)
            : Optional.empty();
    if (resumption.isEmpty()) {
      log.info(
          "server_tls_sessions_resumed_total is absent: {}",
          this.provider == SslProvider.JDK
              ? "the JDK's TLS does not tell whether a handshake resumed a session"
              : "BoringSSL's engine could not be asked (" + whyNoResumptions + ")");
    }
    this.meters =
        new TlsMeters(
            registry,
            listener,
            () -> served.credentials().notAfter().getEpochSecond(),
            resumption.isPresent());
    log.info(
        "TLS on {}: {} ({}); protocols {}, client certificates {}, certificate expires {}",
        listener,
        this.provider,
        provider.reason(),
        String.join(",", config.protocols()),
        config.clientAuth().name().toLowerCase(java.util.Locale.ROOT),
        credentials.notAfter());
    this.reloader =
        Executors.newSingleThreadScheduledExecutor(
            task -> Thread.ofPlatform().name("usher-tls-reload").daemon().unstarted(task));
  }

  /**
   * Reads and checks the configured files and builds the first context; starts watching the files.
   *
   * @param applicationProtocols what ALPN offers, such as {@code http/1.1}; empty offers nothing
   */
  public static ServerTls start(
      TlsConfig config, List<String> applicationProtocols, MeterRegistry registry, String listener)
      throws TlsFileException {
    TlsProviders.Choice provider = TlsProviders.choose(config.provider());
    TlsCredentials credentials = TlsCredentials.load(config, Instant.now());
    ServerTls tls =
        new ServerTls(config, provider, applicationProtocols, credentials, registry, listener);
    long interval = config.reloadInterval().toMillis();
    tls.reloader.scheduleWithFixedDelay(
        tls::reloadIfChanged, interval, interval, TimeUnit.MILLISECONDS);
    return tls;
  }

  /** Adds TLS to a new connection's pipeline, with the context in use now. */
  public void install(ChannelPipeline pipeline) {
    SslHandler handler = served.context().newHandler(pipeline.channel().alloc());
    handler.setHandshakeTimeoutMillis(config.handshakeTimeout().toMillis());
    pipeline.addLast(PipelineNames.TLS, handler);
    pipeline.addLast(PipelineNames.TLS_HANDSHAKE, new TlsHandshakeObserver(meters, resumption));
  }

  /** Reads the files again; a changed pair that checks out replaces the one served. */
  void reloadIfChanged() {
    TlsCredentials.PemFiles files;
    try {
      files = TlsCredentials.PemFiles.read(config);
    } catch (TlsFileException unreadable) {
      refuse(null, unreadable.key() + ": " + unreadable.getMessage());
      return;
    }
    byte[] digest = files.digest();
    if (served.credentials().readFrom(files) || java.util.Arrays.equals(digest, refusedDigest)) {
      return;
    }
    try {
      TlsCredentials credentials = TlsCredentials.check(files, Instant.now());
      served = new Served(context(credentials), credentials);
      refusedDigest = null;
      meters.reloaded(true);
      log.info(
          "TLS certificate reloaded: new connections get {} (expires {})",
          credentials.chain().getFirst().getSubjectX500Principal().getName(),
          credentials.notAfter());
    } catch (TlsFileException refused) {
      refuse(digest, refused.key() + ": " + refused.getMessage());
    }
  }

  // A refused pair is counted and logged once, not at every look until the files change again.
  private void refuse(byte[] digest, String why) {
    if (digest != null && java.util.Arrays.equals(digest, refusedDigest)) {
      return;
    }
    refusedDigest = digest;
    meters.reloaded(false);
    log.warn("TLS certificate reload refused, the current one stays in use: {}", why);
  }

  private SslContext context(TlsCredentials credentials) throws TlsFileException {
    try {
      SslContextBuilder builder =
          SslContextBuilder.forServer(credentials.key(), credentials.chainArray())
              .sslProvider(provider)
              .protocols(config.protocols())
              .clientAuth(
                  switch (config.clientAuth()) {
                    case NONE -> ClientAuth.NONE;
                    case OPTIONAL -> ClientAuth.OPTIONAL;
                    case REQUIRE -> ClientAuth.REQUIRE;
                  });
      if (!trust.isEmpty()) {
        builder.trustManager(trust);
      }
      if (!applicationProtocols.isEmpty()) {
        builder.applicationProtocolConfig(
            new ApplicationProtocolConfig(
                ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                applicationProtocols));
      }
      return builder.build();
    } catch (SSLException | IllegalArgumentException cannotBuild) {
      throw new TlsFileException(
          "server.tls.certificate", "cannot make a TLS context of it: " + cannotBuild.getMessage());
    }
  }

  /** Stops watching the files. */
  @Override
  public void close() {
    reloader.shutdownNow();
  }
}
