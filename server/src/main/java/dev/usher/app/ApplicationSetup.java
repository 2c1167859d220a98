package dev.usher.app;

import dev.usher.accesslog.AccessLog;
import dev.usher.accesslog.AccessLogAppender;
import dev.usher.accesslog.TrustedProxies;
import dev.usher.config.Http2Config;
import dev.usher.config.HttpConfig;
import dev.usher.config.ServerConfig;
import dev.usher.config.UsherConfig;
import dev.usher.http.BlockingWork;
import dev.usher.http.Http2Settings;
import dev.usher.http.HttpApplication;
import dev.usher.http.HttpService;
import dev.usher.http.HttpSettings;
import dev.usher.metrics.AccessLogMeters;
import dev.usher.metrics.BlockingMeters;
import dev.usher.metrics.Http2Meters;
import dev.usher.metrics.HttpMeters;
import dev.usher.overload.Overload;
import dev.usher.overload.ShedReason;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What usher offers an application as it is made: a registry for the application's own meters
 * (exported beside usher's), and the HTTP connection that serves an {@link HttpService}, with
 * usher's rules, meters and access log around it. An application never sees usher's meters.
 */
public final class ApplicationSetup {
  private static final Logger log = LoggerFactory.getLogger(ApplicationSetup.class);
  private final UsherConfig config;
  private final PrometheusMeterRegistry registry;
  private HttpMeters httpMeters;
  private Http2Meters http2Meters;
  private final Overload overload;
  private BlockingWork blockingWork;
  private AccessLog accessLog;

  /** With usher's load shedding made for this setup alone; a server shares one: see below. */
  public ApplicationSetup(UsherConfig config, PrometheusMeterRegistry registry) {
    this(config, registry, Overload.create(config, registry));
  }

  /**
   * @param overload the server's load shedding, which its HTTP requests go through
   */
  public ApplicationSetup(UsherConfig config, PrometheusMeterRegistry registry, Overload overload) {
    this.config = config;
    this.registry = registry;
    this.overload = overload;
  }

  /** Where an application registers meters of its own; they are scraped with usher's. */
  public MeterRegistry meterRegistry() {
    return registry;
  }

  /**
   * {@code service}, run off the event loop: each request on a virtual thread of its own, at most
   * {@code http.blocking.max-concurrent} at once (above it, 503 with {@code Retry-After}). For
   * handlers that block; wrap only the routes that do, and hand the result to {@link #http}.
   */
  public HttpService blocking(HttpService service) {
    if (blockingWork == null) {
      BlockingMeters meters =
          new BlockingMeters(registry, overload.shedCounter(ShedReason.BLOCKING_LIMIT));
      blockingWork = new BlockingWork(config.http().blockingMaxConcurrent(), meters);
      meters.countActive(blockingWork::active);
    }
    return blockingWork.runs(service);
  }

  /**
   * HTTP/1.1 and, where {@code http.http2.enabled}, HTTP/2 served by {@code service}, under usher's
   * {@code http.*} and connection settings.
   */
  public UsherApplication http(HttpService service) {
    if (httpMeters == null) {
      httpMeters = new HttpMeters(registry);
      http2Meters = new Http2Meters(registry, "main");
      if (config.log().access()) {
        accessLog = new AccessLog(new TrustedProxies(config.http().trustedProxies()));
        AccessLogAppender.of(LoggerFactory.getILoggerFactory())
            .ifPresentOrElse(
                appender -> AccessLogMeters.countDropped(registry, appender::dropped),
                () ->
                    log.info(
                        "server_access_log_dropped_total is absent: the logging configuration"
                            + " gives {} no {}",
                        AccessLog.LOGGER_NAME,
                        AccessLogAppender.class.getName()));
      }
    }
    Http2Config http2 = config.http().http2();
    return new HttpApplication(
        httpSettings(config),
        new Http2Settings(http2.enabled(), http2.maxConcurrentStreams(), http2.maxConnectionAge()),
        service,
        httpMeters,
        httpMeters.http2(),
        http2Meters,
        overload,
        accessLog);
  }

  private static HttpSettings httpSettings(UsherConfig config) {
    HttpConfig http = config.http();
    ServerConfig server = config.server();
    return new HttpSettings(
        http.maxInitialLineBytes(),
        http.maxHeaderBytes(),
        http.maxBodyBytes(),
        http.requestTimeout(),
        server.idleTimeout(),
        server.lingeringTimeout(),
        server.lingeringTime(),
        http.requestIds());
  }
}
