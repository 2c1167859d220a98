package dev.usher.testing;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class after which Netty finds a buffer that was never released: whatever a client
 * sends, the server must release every buffer it takes. Registered for every test class
 * (META-INF/services, with extension autodetection on in junit-platform.properties). A leak is
 * found when the collector reclaims the buffer, so it can show up after a later class than the one
 * that leaked; its access records name the code that touched it last.
 */
public final class NoLeakedBuffers implements AfterAllCallback {
  @Override
  public void afterAll(ExtensionContext context) throws InterruptedException {
    List<String> leaks = RecordingLeakDetector.collect();
    if (!leaks.isEmpty()) {
      throw new AssertionError(
          leaks.size()
              + " buffer(s) leaked by this test class or one before it; the first:\n"
              + leaks.getFirst());
    }
  }
}
