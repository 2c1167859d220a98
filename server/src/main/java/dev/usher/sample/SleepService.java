package dev.usher.sample;

import dev.usher.http.HttpExchange;
import dev.usher.http.HttpResponses;
import dev.usher.http.HttpService;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code GET /sleep?ms=N}: a handler that blocks its thread for N milliseconds (at most {@value
 * #MAX_MILLIS}), as a call to a database would, for tests and load. It exists only with {@code
 * http.sample-load-routes = on}, and runs on usher's blocking work (virtual threads).
 */
public final class SleepService implements HttpService {
  static final int MAX_MILLIS = 10_000;

  @Override
  public void serve(FullHttpRequest request, HttpExchange exchange) throws InterruptedException {
    List<String> written = new QueryStringDecoder(request.uri()).parameters().get("ms");
    int millis;
    try {
      millis = written == null ? -1 : Integer.parseInt(written.getFirst());
    } catch (NumberFormatException notANumber) {
      millis = -1;
    }
    if (millis < 0 || millis > MAX_MILLIS) {
      exchange.respond(
          HttpResponses.text(
              HttpResponseStatus.BAD_REQUEST,
              Unpooled.copiedBuffer(
                  "ms: a whole number of milliseconds from 0 to " + MAX_MILLIS + "\n",
                  StandardCharsets.US_ASCII)));
      return;
    }
    Thread.sleep(millis);
    exchange.respond(
        HttpResponses.text(
            HttpResponseStatus.OK,
            Unpooled.copiedBuffer("slept " + millis + " ms\n", StandardCharsets.US_ASCII)));
  }
}
