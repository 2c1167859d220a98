package dev.usher.http;

import dev.usher.app.UsherApplication;
import dev.usher.connection.PipelineNames;
import io.netty.channel.ChannelPipeline;

/**
 * HTTP/1.1 with keep-alive and pipelining around an {@link HttpService}: each connection gets one
 * {@link HttpConnection}, which owns its HTTP life and adds Netty's codec at its first byte.
 */
public final class HttpApplication implements UsherApplication {
  private final HttpSettings settings;
  private final HttpService service;
  private final ExchangeRecorder.PerLoop recorders;

  /**
   * @param recorders where connections record their exchanges (usher's meters)
   */
  public HttpApplication(
      HttpSettings settings, HttpService service, ExchangeRecorder.PerLoop recorders) {
    this.settings = settings;
    this.service = service;
    this.recorders = recorders;
  }

  @Override
  public String name() {
    return "http";
  }

  @Override
  public void initConnection(ChannelPipeline pipeline) {
    pipeline.addLast(PipelineNames.HTTP, new HttpConnection(settings, service, recorders));
  }
}
