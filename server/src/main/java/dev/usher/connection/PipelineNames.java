package dev.usher.connection;

/**
 * The names of usher's handlers: in a listener's pipeline, which every accepted connection passes
 * as a message, then in a connection's own, each in the order a byte travels.
 */
public final class PipelineNames {
  private PipelineNames() {}

  /** The accept path's meters: accept-queue wait and batch size ({@code AcceptObserver}). */
  public static final String ACCEPT_METERS = "usher-accept-meters";

  /** The admission gate: limits and refusals ({@code ConnectionAdmission}). */
  public static final String ADMISSION = "usher-admission";

  /** Stamps the hand-off and gives the connection its meters ({@code HandoffStamp}). */
  public static final String HANDOFF_STAMP = "usher-handoff-stamp";

  /** Bytes in and out, the hand-off and the connection's lifetime (usher's meters). */
  public static final String CONNECTION_METERS = "usher-connection-meters";

  /** Netty's PROXY protocol decoder, on connections from trusted sources. */
  public static final String PROXY_DECODER = "usher-proxy-decoder";

  /**
   * The PROXY protocol header's rules: taken from a trusted source, refused from any other ({@code
   * ProxyProtocolFront}).
   */
  public static final String PROXY_HEADER = "usher-proxy-header";

  /** Netty's {@code SslHandler}: TLS on the main listener. */
  public static final String TLS = "usher-tls";

  /** The TLS handshake's meters, until the handshake ends ({@code TlsHandshakeObserver}). */
  public static final String TLS_HANDSHAKE = "usher-tls-handshake";

  /**
   * A byte stream's rules (idle timeout, half-close, backpressure, drain): {@code
   * StreamConnection}.
   */
  public static final String STREAM = "usher-stream";

  /** Netty's HTTP/1.1 request decoder, added at a connection's first byte. */
  public static final String HTTP_DECODER = "usher-http-decoder";

  /** Netty's HTTP/1.1 response encoder, added with the decoder. */
  public static final String HTTP_ENCODER = "usher-http-encoder";

  /** The owner of an HTTP connection's life: {@code HttpConnection}. */
  public static final String HTTP = "usher-http";

  /**
   * Which HTTP version a connection speaks: ALPN over TLS, the HTTP/2 preface in cleartext ({@code
   * HttpVersionSelector}); it leaves once it knows.
   */
  public static final String HTTP_VERSION = "usher-http-version";

  /**
   * Closes an HTTP/2 connection whose socket failed beneath the codec: {@code Http2SocketFailures}.
   */
  public static final String HTTP2_SOCKET_FAILURES = "usher-http2-socket-failures";

  /** Netty's HTTP/2 frame codec, on a connection that speaks HTTP/2. */
  public static final String HTTP2_CODEC = "usher-http2-codec";

  /** Netty's HTTP/2 stream multiplexer: each stream a child channel. */
  public static final String HTTP2_STREAMS = "usher-http2-streams";

  /** The owner of an HTTP/2 connection's life, its graceful end: {@code Http2Session}. */
  public static final String HTTP2 = "usher-http2";

  /**
   * The last handler, unless the application's own last handler {@link OwnsErrors}: an error nobody
   * handled closes the connection.
   */
  public static final String ERRORS = "usher-errors";
}
