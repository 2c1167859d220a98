package dev.usher.accept;

import io.netty.util.concurrent.EventExecutor;
import java.util.EnumMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs refused connections at most once per second, as counts by reason: never one line per refused
 * connection, which would turn an overload into a logging storm.
 */
final class RefusalLog {
  private static final Logger log = LoggerFactory.getLogger(RefusalLog.class);

  private final String listener;
  private final Map<RefusalReason, LongAdder> sinceLastLine = new EnumMap<>(RefusalReason.class);
  private ScheduledFuture<?> schedule;

  RefusalLog(String listener) {
    this.listener = listener;
    for (RefusalReason reason : RefusalReason.values()) {
      sinceLastLine.put(reason, new LongAdder());
    }
  }

  void start(EventExecutor executor) {
    schedule = executor.scheduleAtFixedRate(this::flush, 1, 1, TimeUnit.SECONDS);
  }

  void stop() {
    if (schedule != null) {
      schedule.cancel(false);
    }
    flush();
  }

  void refused(RefusalReason reason) {
    sinceLastLine.get(reason).increment();
  }

  private void flush() {
    StringJoiner counts = new StringJoiner(", ");
    long total = 0;
    for (Map.Entry<RefusalReason, LongAdder> entry : sinceLastLine.entrySet()) {
      long count = entry.getValue().sumThenReset();
      if (count > 0) {
        counts.add(entry.getKey().tag() + "=" + count);
        total += count;
      }
    }
    if (total > 0) {
      log.warn(
          "listener {} refused {} connection(s) in the last second: {}", listener, total, counts);
    }
  }
}
