package dev.usher.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Iterator;

/**
 * What RFC 9112 and RFC 9110 make a server refuse in a request's head where Netty's decoder is
 * lenient by design, and the one rewrite they ask for: an absolute-form target is served as its
 * origin form, with its authority as the {@code Host} (RFC 9112 3.2.2).
 */
final class RequestHeadRules {
  private static final String HTTP_SCHEME = "http://";
  private static final String HTTPS_SCHEME = "https://";
  private static final boolean[] HOST_CHARACTERS = hostCharacters();

  private RequestHeadRules() {}

  /**
   * The status that refuses {@code request}, or null when it may be served (its target then in
   * origin form, or {@code *} for {@code OPTIONS}, or an authority for {@code CONNECT}).
   */
  static HttpResponseStatus refusal(HttpRequest request) {
    HttpVersion version = request.protocolVersion();
    if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
      if (version.majorVersion() != 1) {
        // RFC 9110 15.6.6: a major version this listener does not speak.
        return HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED;
      }
      // RFC 9110 2.5: a higher minor version is processed as the highest one implemented.
      version = HttpVersion.HTTP_1_1;
      request.setProtocolVersion(version);
    }
    String target = request.uri();
    if (!isVisibleAscii(target) || !isPercentEncodedWell(target)) {
      return HttpResponseStatus.BAD_REQUEST;
    }
    HttpHeaders headers = request.headers();
    // Before the target: an absolute-form target replaces Host, which must still have been valid.
    HttpResponseStatus host = hostRefusal(version, headers);
    if (host != null) {
      return host;
    }
    if (target.charAt(0) != '/' && !acceptTarget(request, target, headers)) {
      return HttpResponseStatus.BAD_REQUEST;
    }
    return transferCodingRefusal(headers);
  }

  // RFC 9112 3.2: one Host, with a valid value; required in HTTP/1.1.
  private static HttpResponseStatus hostRefusal(HttpVersion version, HttpHeaders headers) {
    Iterator<String> hosts = headers.valueStringIterator(HttpHeaderNames.HOST);
    if (!hosts.hasNext()) {
      return version == HttpVersion.HTTP_1_1 ? HttpResponseStatus.BAD_REQUEST : null;
    }
    String host = hosts.next();
    return hosts.hasNext() || !isHost(host) ? HttpResponseStatus.BAD_REQUEST : null;
  }

  // RFC 9112 6.1: chunked is the only transfer coding usher understands, and it must be the only
  // one (a coding applied before chunked would be passed on undecoded).
  private static HttpResponseStatus transferCodingRefusal(HttpHeaders headers) {
    Iterator<String> codings = headers.valueStringIterator(HttpHeaderNames.TRANSFER_ENCODING);
    if (!codings.hasNext()) {
      return null;
    }
    String coding = codings.next().strip();
    if (codings.hasNext() || !HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(coding)) {
      return HttpResponseStatus.NOT_IMPLEMENTED;
    }
    return null;
  }

  // A target that is not in origin form: absolute form (rewritten to origin form), "*" for
  // OPTIONS, an authority for CONNECT (left to the service to refuse); nothing else.
  private static boolean acceptTarget(HttpRequest request, String target, HttpHeaders headers) {
    HttpMethod method = request.method();
    if (target.equals("*")) {
      return method.equals(HttpMethod.OPTIONS);
    }
    if (method.equals(HttpMethod.CONNECT)) {
      return true;
    }
    int schemeLength = schemeLength(target);
    if (schemeLength == 0) {
      return false;
    }
    int pathStart = firstOf(target, "/?", schemeLength);
    String authority = target.substring(schemeLength, pathStart);
    if (authority.isEmpty() || authority.indexOf('@') >= 0 || !isHost(authority)) {
      return false;
    }
    String rest = target.substring(pathStart);
    request.setUri(rest.isEmpty() || rest.charAt(0) == '?' ? "/" + rest : rest);
    headers.set(HttpHeaderNames.HOST, authority);
    return true;
  }

  private static int schemeLength(String target) {
    if (target.regionMatches(true, 0, HTTP_SCHEME, 0, HTTP_SCHEME.length())) {
      return HTTP_SCHEME.length();
    }
    if (target.regionMatches(true, 0, HTTPS_SCHEME, 0, HTTPS_SCHEME.length())) {
      return HTTPS_SCHEME.length();
    }
    return 0;
  }

  private static int firstOf(String text, String characters, int from) {
    for (int i = from; i < text.length(); i++) {
      if (characters.indexOf(text.charAt(i)) >= 0) {
        return i;
      }
    }
    return text.length();
  }

  // RFC 3986 host [":" port]: reg-name, IPv4 or a bracketed IPv6 literal. Empty is allowed (RFC
  // 9112 3.2: a target without an authority is sent with an empty Host).
  private static boolean isHost(String host) {
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (c >= HOST_CHARACTERS.length || !HOST_CHARACTERS[c]) {
        return false;
      }
    }
    return true;
  }

  // Checked for every request's Host: a table, not a search of the punctuation for each character.
  private static boolean[] hostCharacters() {
    boolean[] allowed = new boolean[128];
    for (char c = 'a'; c <= 'z'; c++) {
      allowed[c] = true;
      allowed[Character.toUpperCase(c)] = true;
    }
    for (char c = '0'; c <= '9'; c++) {
      allowed[c] = true;
    }
    for (char c : "-._~%!$&'()*+,;=:[]".toCharArray()) {
      allowed[c] = true;
    }
    return allowed;
  }

  // RFC 3986 2.1: a '%' in a target begins a percent-encoding, two hex digits (a service decoding
  // the path would fail on any other: found by fuzzing, as a 500 and a stack trace in the log).
  private static boolean isPercentEncodedWell(String target) {
    for (int i = target.indexOf('%'); i >= 0; i = target.indexOf('%', i + 1)) {
      if (i + 2 >= target.length()
          || Character.digit(target.charAt(i + 1), 16) < 0
          || Character.digit(target.charAt(i + 2), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  // A request target is visible ASCII: no control character (a NUL included), no space, no byte
  // above 0x7e.
  private static boolean isVisibleAscii(String target) {
    if (target.isEmpty()) {
      return false;
    }
    for (int i = 0; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c <= ' ' || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }
}
