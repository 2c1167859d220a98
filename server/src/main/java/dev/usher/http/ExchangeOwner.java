package dev.usher.http;

import io.netty.handler.codec.http.FullHttpResponse;
import java.net.SocketAddress;

/**
 * What an {@link HttpExchange} answers through: an HTTP/1.1 connection ({@link HttpConnection}) or
 * an HTTP/2 stream ({@link Http2StreamExchange}). Called on the owner's event loop only.
 */
interface ExchangeOwner {
  /** A final answer to an exchange not yet answered (the exchange has checked both). */
  void answer(HttpExchange exchange, FullHttpResponse response);

  SocketAddress remoteAddress();
}
