import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * The image's HEALTHCHECK: GETs usher's readiness endpoint and exits 0 on a 200, 1 otherwise, so
 * the image needs neither curl nor wget. The Dockerfile compiles it in the build stage, because a
 * JRE has no compiler to run {@code java ReadinessProbe.java} with.
 *
 * <p>It asks {@code http://127.0.0.1:$ADMIN_PORT/health/ready} (ADMIN_PORT as usher reads it,
 * default 8081), or the URL in USHER_HEALTHCHECK_URL when the admin port is set in a mounted
 * configuration file instead. Plain HTTP/1.0 over a socket: the JVM starts and answers in a fraction
 * of a second, well inside the HEALTHCHECK timeout.
 */
public final class ReadinessProbe {
  private static final int TIMEOUT_MILLIS = 2_000;

  private ReadinessProbe() {}

  public static void main(String[] args) {
    URI target = target();
    try {
      String statusLine = statusLine(target);
      if (statusLine.matches("HTTP/1\\.[01] 200( .*)?")) {
        System.exit(0);
      }
      System.err.println("readiness probe: " + target + " answered " + statusLine);
    } catch (IOException | RuntimeException failure) {
      System.err.println("readiness probe: " + target + " failed: " + failure);
    }
    System.exit(1);
  }

  private static URI target() {
    String explicit = System.getenv("USHER_HEALTHCHECK_URL");
    if (explicit != null && !explicit.isBlank()) {
      return URI.create(explicit);
    }
    String port = System.getenv().getOrDefault("ADMIN_PORT", "8081");
    return URI.create("http://127.0.0.1:" + port + "/health/ready");
  }

  private static String statusLine(URI target) throws IOException {
    int port = target.getPort() == -1 ? 80 : target.getPort();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(target.getHost(), port), TIMEOUT_MILLIS);
      socket.setSoTimeout(TIMEOUT_MILLIS);
      OutputStream out = socket.getOutputStream();
      String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
      out.write(("GET " + path + " HTTP/1.0\r\nHost: " + target.getHost() + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return readLine(socket.getInputStream());
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b != -1 && b != '\n' && line.length() < 200; b = in.read()) {
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }
}
