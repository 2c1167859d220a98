package dev.usher.http;

import dev.usher.accesslog.AccessLog;
import dev.usher.app.UsherApplication;
import dev.usher.connection.PipelineNames;
import dev.usher.overload.Overload;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import java.util.List;

/**
 * HTTP around an {@link HttpService}: HTTP/1.1 with keep-alive and pipelining, each connection
 * owned by one {@link HttpConnection} (which adds Netty's codec at its first byte), and, where it
 * is on, HTTP/2 (h2 by ALPN, h2c by prior knowledge), which a {@link HttpVersionSelector} in front
 * of the connection recognizes. The same service answers both versions.
 */
public final class HttpApplication implements UsherApplication {
  private final HttpConnectionRules rules;
  private final Http2Pipeline http2;

  /** HTTP/1.1 alone. */
  public HttpApplication(
      HttpSettings settings, HttpService service, ExchangeRecorder.PerLoop recorders) {
    this(
        settings,
        Http2Settings.OFF,
        service,
        recorders,
        ExchangeRecorder.PerLoop.NONE,
        Http2Observer.NONE,
        Overload.none(),
        null);
  }

  /**
   * @param http1Recorders where HTTP/1.1 connections record their exchanges (usher's meters)
   * @param http2Recorders where HTTP/2 streams record theirs
   * @param overload the server's load shedding, which every request goes through
   * @param accessLog where each answered request is written, or null for no access log
   */
  public HttpApplication(
      HttpSettings settings,
      Http2Settings http2Settings,
      HttpService service,
      ExchangeRecorder.PerLoop http1Recorders,
      ExchangeRecorder.PerLoop http2Recorders,
      Http2Observer http2Observer,
      Overload overload,
      AccessLog accessLog) {
    this.rules = HttpConnectionRules.of(settings, service, http1Recorders, overload, accessLog);
    this.http2 =
        http2Settings.enabled()
            ? new Http2Pipeline(
                rules, http2Settings, settings.maxHeaderBytes(), http2Recorders, http2Observer)
            : null;
  }

  @Override
  public String name() {
    return "http";
  }

  @Override
  public List<String> applicationProtocols() {
    return http2 != null
        ? List.of(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1)
        : List.of(ApplicationProtocolNames.HTTP_1_1);
  }

  @Override
  public void initConnection(ChannelPipeline pipeline) {
    if (http2 != null) {
      pipeline.addLast(
          PipelineNames.HTTP_VERSION,
          new HttpVersionSelector(http2, pipeline.get(SslHandler.class) != null));
    }
    pipeline.addLast(PipelineNames.HTTP, new HttpConnection(rules));
  }
}
