package dev.usher.http;

import io.netty.handler.codec.http.FullHttpRequest;

/**
 * What a team that forks usher implements to answer HTTP requests: the one place for business
 * logic. usher owns everything else about the connection (parsing, limits, keep-alive, pipelining,
 * deadlines, the drain, error answers and meters).
 *
 * <p>Each request arrives whole, its body aggregated up to {@code http.max-body-bytes}. The service
 * answers through the {@link HttpExchange}, at once or later from any thread; answers to pipelined
 * requests go out in the order the requests came, whatever order they are given in. usher releases
 * the request once its answer is written (or the connection is gone): a service that keeps part of
 * it past that retains it.
 *
 * <p>{@link #serve} runs on the connection's event loop: it must not block. Work that blocks is
 * handed to another executor, and the exchange answered from there.
 */
@FunctionalInterface
public interface HttpService {
  /**
   * Answers one request. An exception thrown here is logged and answered with 500.
   *
   * @param request the whole request; usher releases it once its answer is written or the
   *     connection is gone, so a service that reads it after {@code serve} returns retains it first
   * @param exchange where the answer goes, exactly once
   */
  void serve(FullHttpRequest request, HttpExchange exchange) throws Exception;
}
