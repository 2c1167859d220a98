package dev.usher.http;

import io.netty.handler.codec.http.FullHttpRequest;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Where HTTP handlers that block (a database call, another service) run: each request on a virtual
 * thread of its own, off the event loop, at most {@code http.blocking.max-concurrent} at once. The
 * answer goes back through the {@link HttpExchange}, so pipelined answers keep their order and the
 * drain waits for blocking work in flight like any request. Above the bound a request is shed at
 * once with {@code 503} and {@code Retry-After}: there is no queue to grow without bound.
 */
public final class BlockingWork implements AutoCloseable {

  /** What usher counts about blocking work (its meters); called from virtual threads. */
  public interface Observer {
    Observer NONE =
        new Observer() {
          @Override
          public void started(long waitedNanos) {}

          @Override
          public void finished(long tookNanos) {}

          @Override
          public void shed() {}
        };

    /** A task started, this long after it was submitted. */
    void started(long waitedNanos);

    /** A task finished (answered or failed), this long after it started. */
    void finished(long tookNanos);

    /** A request was refused with 503: the bound was reached. */
    void shed();
  }

  private final int maxConcurrent;
  private final Semaphore permits;
  private final Observer observer;
  private final ExecutorService threads =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("usher-blocking-", 0).factory());

  public BlockingWork(int maxConcurrent, Observer observer) {
    this.maxConcurrent = maxConcurrent;
    this.permits = new Semaphore(maxConcurrent);
    this.observer = observer;
  }

  /** Blocking tasks running or about to: what {@code server_blocking_tasks_active} shows. */
  public int active() {
    return maxConcurrent - permits.availablePermits();
  }

  /** {@code service}, run on virtual threads under this bound. */
  public HttpService runs(HttpService service) {
    return (request, exchange) -> submit(service, request, exchange);
  }

  private void submit(HttpService service, FullHttpRequest request, HttpExchange exchange) {
    if (!permits.tryAcquire()) {
      observer.shed();
      exchange.respond(HttpResponses.overloaded());
      return;
    }
    // usher releases the request once it is answered; the task reads it until it returns.
    request.retain();
    long submitted = System.nanoTime();
    try {
      threads.execute(() -> run(service, request, exchange, submitted));
    } catch (RuntimeException closed) {
      request.release();
      permits.release();
      exchange.respond(HttpResponses.overloaded());
    }
  }

  private void run(
      HttpService service, FullHttpRequest request, HttpExchange exchange, long submitted) {
    long started = System.nanoTime();
    observer.started(started - submitted);
    try {
      exchange.serveBy(service, request);
    } finally {
      request.release();
      permits.release();
      observer.finished(System.nanoTime() - started);
    }
  }

  /** Lets the tasks in flight finish for at most {@code seconds}, then interrupts them. */
  public void close(long seconds) throws InterruptedException {
    threads.shutdown();
    if (!threads.awaitTermination(seconds, TimeUnit.SECONDS)) {
      threads.shutdownNow();
    }
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
