package dev.usher.testing;

import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Netty's leak detector, which also keeps every leak it reports, so that a test run can fail on one
 * ({@link NoLeakedBuffers}). The unit tests install it for every buffer with {@code
 * -Dio.netty.customResourceLeakDetector} and track every buffer with {@code
 * -Dio.netty.leakDetection.level=paranoid} (see server/pom.xml).
 */
public final class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {
  private static final Queue<String> LEAKS = new ConcurrentLinkedQueue<>();

  public RecordingLeakDetector(Class<?> resourceType, int samplingInterval) {
    super(resourceType, samplingInterval);
  }

  /** The constructor Netty looks up first (it logs an error without it, then uses the other). */
  @SuppressWarnings("deprecation")
  public RecordingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
    super(resourceType, samplingInterval, maxActive);
  }

  /**
   * The leaks found so far, emptied: collects garbage, then allocates, which is when the detector
   * looks at what the collector found unreleased.
   */
  static List<String> collect() throws InterruptedException {
    for (int round = 0; round < 5; round++) {
      System.gc();
      Thread.sleep(20);
      for (int i = 0; i < 100; i++) {
        ByteBufAllocator.DEFAULT.buffer(1).release();
        ByteBufAllocator.DEFAULT.directBuffer(1).release();
      }
    }
    List<String> found = new ArrayList<>();
    for (String leak = LEAKS.poll(); leak != null; leak = LEAKS.poll()) {
      found.add(leak);
    }
    return found;
  }

  @Override
  protected boolean needReport() {
    return true;
  }

  @Override
  protected void reportTracedLeak(String resourceType, String records) {
    LEAKS.add(resourceType + " was not released:" + records);
    super.reportTracedLeak(resourceType, records);
  }

  @Override
  protected void reportUntracedLeak(String resourceType) {
    LEAKS.add(resourceType + " was not released (no access records)");
    super.reportUntracedLeak(resourceType);
  }
}
