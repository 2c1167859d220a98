package dev.usher.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A service that answers only when the test says so: the requests in flight, held. */
final class HeldService implements HttpService {
  private final List<HttpExchange> held = new ArrayList<>();
  private final List<String> uris = new ArrayList<>();

  @Override
  public void serve(FullHttpRequest request, HttpExchange exchange) {
    held.add(exchange);
    uris.add(request.uri());
  }

  int held() {
    return held.size();
  }

  /** Answers the {@code index}-th request held (from 0) with its own URI as the body. */
  void answer(int index) {
    held.get(index)
        .respond(
            HttpResponses.text(
                HttpResponseStatus.OK,
                Unpooled.copiedBuffer(uris.get(index), StandardCharsets.US_ASCII)));
  }
}
