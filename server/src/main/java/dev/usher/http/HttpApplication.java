package dev.usher.http;

import dev.usher.app.UsherApplication;
import dev.usher.connection.PipelineNames;
import io.netty.channel.ChannelPipeline;
import java.util.List;

/**
 * HTTP/1.1 with keep-alive and pipelining around an {@link HttpService}: each connection gets one
 * {@link HttpConnection}, which owns its HTTP life and adds Netty's codec at its first byte.
 */
public final class HttpApplication implements UsherApplication {
  private final HttpConnectionRules rules;

  /**
   * @param recorders where connections record their exchanges (usher's meters)
   */
  public HttpApplication(
      HttpSettings settings, HttpService service, ExchangeRecorder.PerLoop recorders) {
    this.rules = HttpConnectionRules.of(settings, service, recorders);
  }

  @Override
  public String name() {
    return "http";
  }

  @Override
  public List<String> applicationProtocols() {
    return List.of("http/1.1");
  }

  @Override
  public void initConnection(ChannelPipeline pipeline) {
    pipeline.addLast(PipelineNames.HTTP, new HttpConnection(rules));
  }
}
