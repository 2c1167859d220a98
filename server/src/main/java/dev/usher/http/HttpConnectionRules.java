package dev.usher.http;

import dev.usher.accesslog.AccessLog;
import dev.usher.overload.Overload;
import io.netty.handler.codec.http.HttpDecoderConfig;

/**
 * What every HTTP connection of a server shares: its service, its meters, its access log (null
 * where it is off) and its settings, in the forms the connection uses. Made once; each connection
 * holds one reference to it, not copies.
 */
record HttpConnectionRules(
    HttpService service,
    ExchangeRecorder.PerLoop recorders,
    HttpDecoderConfig decoderConfig,
    int maxBodyBytes,
    long requestTimeoutNanos,
    long idleTimeoutNanos,
    long lingeringTimeoutNanos,
    long lingeringTimeNanos,
    boolean requestIds,
    Overload overload,
    AccessLog accessLog) {

  static HttpConnectionRules of(
      HttpSettings settings,
      HttpService service,
      ExchangeRecorder.PerLoop recorders,
      Overload overload,
      AccessLog accessLog) {
    return new HttpConnectionRules(
        service,
        recorders,
        new HttpDecoderConfig()
            .setMaxInitialLineLength(settings.maxInitialLineBytes())
            .setMaxHeaderSize(settings.maxHeaderBytes()),
        settings.maxBodyBytes(),
        settings.requestTimeout().toNanos(),
        settings.idleTimeout().toNanos(),
        settings.lingeringTimeout().toNanos(),
        settings.lingeringTime().toNanos(),
        settings.requestIds(),
        overload,
        accessLog);
  }
}
