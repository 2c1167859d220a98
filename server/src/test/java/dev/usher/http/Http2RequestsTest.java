package dev.usher.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An HTTP/2 request's fields as the HTTP/1.1-shaped request services read (RFC 9113 8.3). */
class Http2RequestsTest {

  @Test
  void thePseudoHeaderFieldsMakeTheRequestLineAndTheAuthorityTheHost() {
    FullHttpRequest request =
        Http2Requests.request(
            head("POST", "/echo?x=1").add("user-agent", "h2load"),
            Unpooled.copiedBuffer("body", StandardCharsets.US_ASCII),
            null);
    try {
      assertEquals(HttpMethod.POST, request.method());
      assertEquals("/echo?x=1", request.uri());
      assertEquals(HttpVersion.HTTP_1_1, request.protocolVersion());
      assertEquals("usher.example:8443", request.headers().get("host"));
      assertEquals("h2load", request.headers().get("user-agent"));
      assertEquals("body", request.content().toString(StandardCharsets.US_ASCII));
      // Only what the client sent: no field of the conversion's own, no pseudo-header field.
      assertEquals(2, request.headers().size(), request.headers().toString());
      assertTrue(request.trailingHeaders().isEmpty());
    } finally {
      request.release();
    }
  }

  @Test
  void aHostThatNamesTheSameAuthorityStaysAndOneThatNamesAnotherIsMalformed() {
    FullHttpRequest same =
        Http2Requests.request(head("GET", "/").add("host", "USHER.example:8443"), empty(), null);
    assertEquals(List.of("USHER.example:8443"), same.headers().getAll("host"));
    same.release();

    assertThrows(
        IllegalArgumentException.class,
        () -> Http2Requests.request(head("GET", "/").add("host", "elsewhere"), empty(), null));
  }

  @Test
  void connectsTargetIsItsAuthorityAsInHttp11() {
    FullHttpRequest request =
        Http2Requests.request(
            new DefaultHttp2Headers().method("CONNECT").authority("upstream.example:443"),
            empty(),
            null);
    assertEquals(HttpMethod.CONNECT, request.method());
    assertEquals("upstream.example:443", request.uri());
    request.release();
  }

  @Test
  void cookieCrumbsAreJoinedIntoOneField() {
    FullHttpRequest request =
        Http2Requests.request(
            head("GET", "/").add("cookie", "a=1").add("cookie", "b=2").add("cookie", "c=3"),
            empty(),
            null);
    assertEquals(List.of("a=1; b=2; c=3"), request.headers().getAll("cookie"));
    request.release();
  }

  @Test
  void trailersAreTheRequestsTrailerFieldsAndMayHoldNoPseudoHeaderField() {
    FullHttpRequest request =
        Http2Requests.request(
            head("POST", "/echo"), empty(), new DefaultHttp2Headers().add("checksum", "abc"));
    assertEquals("abc", request.trailingHeaders().get("checksum"));
    assertFalse(request.headers().contains("checksum"));
    request.release();

    assertThrows(
        IllegalArgumentException.class,
        () ->
            Http2Requests.request(
                head("POST", "/echo"), empty(), new DefaultHttp2Headers().path("/elsewhere")));
  }

  @Test
  void aFieldValueThatHttp11WouldRefuseIsMalformed() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            Http2Requests.request(
                head("GET", "/").add("x-injected", "a\r\nhost: elsewhere"), empty(), null));
  }

  private static Http2Headers head(String method, String path) {
    return new DefaultHttp2Headers(false)
        .method(method)
        .scheme("https")
        .path(path)
        .authority("usher.example:8443");
  }

  private static ByteBuf empty() {
    return Unpooled.EMPTY_BUFFER;
  }
}
