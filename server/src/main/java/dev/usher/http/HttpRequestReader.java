package dev.usher.http;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;

/**
 * Netty's request decoder, which also tells whether it holds the first bytes of a request it cannot
 * decode yet (a request line or header block still arriving): the request deadline starts at a
 * request's first byte, long before the decoder emits anything.
 */
final class HttpRequestReader extends HttpRequestDecoder {
  HttpRequestReader(HttpDecoderConfig config) {
    super(config);
  }

  boolean holdsPartialRequest() {
    return actualReadableBytes() > 0;
  }
}
