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
 * {@code GET /work?cpu=MICROS}: keeps the event loop busy for that many microseconds (at most
 * {@value #MAX_MICROS}), as a handler that computes would, so that overload can be made on purpose.
 * A denial-of-service handle: it exists only with {@code http.sample-load-routes = on}.
 */
public final class WorkService implements HttpService {
  static final int MAX_MICROS = 1_000_000;

  @Override
  public void serve(FullHttpRequest request, HttpExchange exchange) {
    List<String> written = new QueryStringDecoder(request.uri()).parameters().get("cpu");
    long micros;
    try {
      micros = written == null ? -1 : Long.parseLong(written.getFirst());
    } catch (NumberFormatException notANumber) {
      micros = -1;
    }
    if (micros < 0 || micros > MAX_MICROS) {
      exchange.respond(
          HttpResponses.text(
              HttpResponseStatus.BAD_REQUEST,
              Unpooled.copiedBuffer(
                  "cpu: a whole number of microseconds from 0 to " + MAX_MICROS + "\n",
                  StandardCharsets.US_ASCII)));
      return;
    }
    long until = System.nanoTime() + micros * 1_000;
    long spins = 0;
    while (System.nanoTime() < until) {
      spins++;
    }
    exchange.respond(
        HttpResponses.text(
            HttpResponseStatus.OK,
            Unpooled.copiedBuffer(
                "worked " + micros + " us (" + spins + " clock reads)\n",
                StandardCharsets.US_ASCII)));
  }
}
