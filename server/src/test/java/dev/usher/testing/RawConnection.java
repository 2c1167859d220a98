package dev.usher.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A TCP connection (plain, or TLS with {@link #openTls}) that speaks HTTP/1.x by hand, for what a
 * well-behaved client library would hide: malformed requests, pipelining, and exactly when and how
 * the server ends the connection. Every read is bounded by a timeout, so a test never hangs on a
 * server that stays silent.
 */
public final class RawConnection implements AutoCloseable {
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_HEAD_LINE = 64 * 1024;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private RawConnection(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** Connects to {@code address}; the TCP handshake is done when this returns. */
  public static RawConnection open(InetSocketAddress address) throws IOException {
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
      socket.connect(address, (int) READ_TIMEOUT.toMillis());
      return new RawConnection(socket);
    } catch (IOException | RuntimeException failure) {
      socket.close();
      throw failure;
    }
  }

  /** Talks over {@code connected}, such as a TLS socket whose handshake is done. */
  public static RawConnection over(Socket connected) throws IOException {
    connected.setSoTimeout((int) READ_TIMEOUT.toMillis());
    return new RawConnection(connected);
  }

  /**
   * Connects to {@code address} over TLS with {@code tls}, checking the server's certificate
   * against the address as an HTTPS client does; the TLS handshake is done when this returns.
   */
  public static RawConnection openTls(InetSocketAddress address, SSLContext tls)
      throws IOException {
    Socket tcp = new Socket();
    try {
      tcp.setTcpNoDelay(true);
      tcp.setSoTimeout((int) READ_TIMEOUT.toMillis());
      tcp.connect(address, (int) READ_TIMEOUT.toMillis());
      SSLSocket socket =
          (SSLSocket)
              tls.getSocketFactory()
                  .createSocket(tcp, address.getHostString(), address.getPort(), true);
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      return new RawConnection(socket);
    } catch (IOException | RuntimeException failure) {
      tcp.close();
      throw failure;
    }
  }

  /** Sends ASCII text as one write, such as a whole request or several pipelined ones. */
  public RawConnection send(String ascii) throws IOException {
    return send(ascii.getBytes(StandardCharsets.US_ASCII));
  }

  public RawConnection send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** Reads one complete response with the body its {@code Content-Length} announces. */
  public WireResponse readResponse() throws IOException {
    return readResponseOrEnd(false)
        .orElseThrow(
            () -> new AssertionError("the server closed the connection instead of responding"));
  }

  /** Reads one complete response to a HEAD request: headers only, whatever the length says. */
  public WireResponse readHeadResponse() throws IOException {
    return readResponseOrEnd(true)
        .orElseThrow(
            () -> new AssertionError("the server closed the connection instead of responding"));
  }

  /**
   * Reads one complete response, or returns empty when the server ended the connection (EOF or
   * reset) before the first byte of one: a close between responses.
   *
   * @throws TruncatedResponseException when the connection ends after part of a response
   */
  public Optional<WireResponse> readResponseOrEnd(boolean head) throws IOException {
    ByteCounter counter = new ByteCounter();
    try {
      String statusLine = readLine(counter);
      if (statusLine == null) {
        return Optional.empty();
      }
      if (!statusLine.startsWith("HTTP/")) {
        throw new AssertionError("not an HTTP status line: " + statusLine);
      }
      Map<String, List<String>> headers = new LinkedHashMap<>();
      for (String line = readLine(counter); ; line = readLine(counter)) {
        if (line == null) {
          throw new TruncatedResponseException(
              "EOF inside the headers after " + counter.bytes + " bytes of " + statusLine);
        }
        if (line.isEmpty()) {
          break;
        }
        int colon = line.indexOf(':');
        if (colon <= 0) {
          throw new AssertionError("malformed header line in response: " + line);
        }
        headers
            .computeIfAbsent(
                line.substring(0, colon).trim().toLowerCase(Locale.ROOT), name -> new ArrayList<>())
            .add(line.substring(colon + 1).trim());
      }
      int length = head ? 0 : contentLength(statusLine, headers);
      byte[] body = in.readNBytes(length);
      counter.bytes += body.length;
      if (body.length < length) {
        throw new TruncatedResponseException(
            "EOF after " + body.length + " of " + length + " body bytes of " + statusLine);
      }
      return Optional.of(new WireResponse(statusLine, headers, body));
    } catch (SocketException reset) {
      if (counter.bytes == 0) {
        return Optional.empty();
      }
      throw new TruncatedResponseException(
          "connection failed after " + counter.bytes + " bytes of a response: " + reset, reset);
    }
  }

  private static int contentLength(String statusLine, Map<String, List<String>> headers) {
    int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
    if (status / 100 == 1 || status == 204 || status == 304) {
      return 0;
    }
    List<String> lengths = headers.get("content-length");
    if (lengths == null) {
      throw new AssertionError("response without Content-Length: " + statusLine + " " + headers);
    }
    return Integer.parseInt(lengths.getFirst());
  }

  // A header line without its CRLF; null at EOF before any byte of the line.
  private String readLine(ByteCounter counter) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (counter.bytes == 0) {
          return null;
        }
        throw new TruncatedResponseException(
            "EOF after " + counter.bytes + " bytes of a response: " + line);
      }
      counter.bytes++;
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int end =
            bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
      }
      if (line.size() >= MAX_HEAD_LINE) {
        throw new AssertionError("response header line longer than " + MAX_HEAD_LINE + " bytes");
      }
      line.write(b);
    }
  }

  /** How the server ended a connection. */
  public enum Ending {
    /** An orderly close: read returned -1. */
    EOF,
    /** A reset: the kernel answered with RST (SO_LINGER 0, or unread data at close). */
    RESET
  }

  /**
   * Waits until the server ends the connection and says how; fails if data arrives instead or the
   * connection is still open after {@code timeout}.
   */
  public Ending awaitClosedByServer(Duration timeout) throws IOException {
    int previous = socket.getSoTimeout();
    socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
    try {
      int b = in.read();
      if (b >= 0) {
        byte[] rest = in.readNBytes(Math.min(in.available(), 200));
        throw new AssertionError(
            "expected the server to close the connection, got data: "
                + (char) b
                + new String(rest, StandardCharsets.ISO_8859_1));
      }
      return Ending.EOF;
    } catch (SocketTimeoutException stillOpen) {
      throw new AssertionError("the connection is still open after " + timeout, stillOpen);
    } catch (SocketException reset) {
      return Ending.RESET;
    } finally {
      if (!socket.isClosed()) {
        socket.setSoTimeout(previous);
      }
    }
  }

  public Socket socket() {
    return socket;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  private static final class ByteCounter {
    long bytes;
  }

  /** The connection ended, or failed, after part of a response had arrived. */
  public static final class TruncatedResponseException extends IOException {
    TruncatedResponseException(String message) {
      super(message);
    }

    TruncatedResponseException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
