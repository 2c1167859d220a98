package dev.usher.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Headers.PseudoHeaderName;
import io.netty.util.AsciiString;
import java.util.Map;

/**
 * An HTTP/2 request as the HTTP/1.1-shaped request every {@link HttpService} reads (RFC 9113 8.3):
 * the pseudo-header fields make the request line, {@code :authority} the {@code Host} field when
 * the request has none (a {@code Host} that names another authority is malformed), and cookie
 * crumbs are joined into one {@code Cookie} field (8.2.3). Field names and values are validated as
 * HTTP/1.1's are.
 *
 * <p>In place of Netty's {@code HttpConversionUtil.toFullHttpRequest}, which also adds fields of
 * its own ({@code x-http2-stream-id}, {@code x-http2-scheme}), makes an empty trailer block and a
 * translator per request, and looks every field's name up in a map. A request with trailers (RFC
 * 9113 8.1: no pseudo-header field among them) has them as its trailer fields.
 */
final class Http2Requests {
  private static final HttpHeadersFactory FIELDS = DefaultHttpHeadersFactory.headersFactory();
  private static final CharSequence AUTHORITY = PseudoHeaderName.AUTHORITY.value();

  private Http2Requests() {}

  /**
   * The request of {@code head} (whose {@code :method} and {@code :path}, or for {@code CONNECT}
   * {@code :authority}, the caller has checked) with {@code content} as its body and {@code
   * trailers} (or null) as its trailer fields; it owns {@code content} only once returned.
   *
   * @throws IllegalArgumentException when the fields do not make a valid HTTP request
   */
  static FullHttpRequest request(Http2Headers head, ByteBuf content, Http2Headers trailers) {
    HttpHeaders fields = FIELDS.newHeaders();
    CharSequence authority = copyFields(head, fields, false);
    if (authority != null) {
      String host = fields.get(HttpHeaderNames.HOST);
      if (host == null) {
        fields.add(HttpHeaderNames.HOST, authority);
      } else if (!AsciiString.contentEqualsIgnoreCase(host, authority)) {
        throw new IllegalArgumentException("Host names another authority than :authority");
      }
    }
    HttpHeaders trailerFields = EmptyHttpHeaders.INSTANCE;
    if (trailers != null) {
      trailerFields = FIELDS.newHeaders();
      copyFields(trailers, trailerFields, true);
    }
    return new DefaultFullHttpRequest(
        HttpVersion.HTTP_1_1,
        HttpMethod.valueOf(head.method().toString()),
        // CONNECT names no path: its target is the authority, as in HTTP/1.1 (RFC 9113 8.5).
        head.path() != null ? head.path().toString() : authority.toString(),
        content,
        fields,
        trailerFields);
  }

  // Copies the regular fields; returns :authority's value, or null.
  private static CharSequence copyFields(Http2Headers from, HttpHeaders to, boolean trailers) {
    CharSequence authority = null;
    StringBuilder cookies = null;
    for (Map.Entry<CharSequence, CharSequence> field : from) {
      CharSequence name = field.getKey();
      if (PseudoHeaderName.hasPseudoHeaderFormat(name)) {
        if (trailers) {
          throw new IllegalArgumentException("a pseudo-header field among trailers: " + name);
        }
        if (AsciiString.contentEquals(AUTHORITY, name)) {
          authority = field.getValue();
        }
        // The others make the request line; Netty's decoder lets no unknown one through.
      } else if (HttpHeaderNames.COOKIE.contentEquals(name)) {
        cookies = cookies == null ? new StringBuilder() : cookies.append("; ");
        cookies.append(field.getValue());
      } else {
        to.add(name, field.getValue());
      }
    }
    if (cookies != null) {
      to.add(HttpHeaderNames.COOKIE, cookies.toString());
    }
    return authority;
  }
}
