package dev.usher.tls;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;
import javax.net.ssl.SSLEngine;

/**
 * Tells whether a finished handshake resumed a session. Only BoringSSL's engine knows, and Netty
 * keeps its {@code isSessionReused()} package-private, so usher looks it up once at start; where
 * that fails (the JDK's engine, another Netty), resumptions are not counted and the log says so.
 */
final class SessionResumption {
  private static final String OPENSSL_ENGINE = "io.netty.handler.ssl.ReferenceCountedOpenSslEngine";

  private final Class<?> engineType;
  private final MethodHandle isSessionReused;

  private SessionResumption(Class<?> engineType, MethodHandle isSessionReused) {
    this.engineType = engineType;
    this.isSessionReused = isSessionReused;
  }

  /** The reader for BoringSSL's engines, or empty (with the reason) where it cannot be made. */
  static Optional<SessionResumption> forOpenSsl(StringBuilder whyNot) {
    try {
      Class<?> engineType = Class.forName(OPENSSL_ENGINE);
      MethodHandle handle =
          MethodHandles.privateLookupIn(engineType, MethodHandles.lookup())
              .findVirtual(engineType, "isSessionReused", MethodType.methodType(boolean.class));
      return Optional.of(new SessionResumption(engineType, handle));
    } catch (ReflectiveOperationException | RuntimeException unavailable) {
      whyNot.append(unavailable);
      return Optional.empty();
    }
  }

  boolean resumed(SSLEngine engine) {
    if (!engineType.isInstance(engine)) {
      return false;
    }
    try {
      return (boolean) isSessionReused.invoke(engine);
    } catch (Throwable unreadable) {
      return false;
    }
  }
}
