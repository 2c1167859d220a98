package dev.usher.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates and keys for TLS tests, made by {@code openssl} (as an operator would make them) in
 * a test's directory: a certificate authority, server certificates for {@code localhost} signed by
 * it, a client certificate, and the same keys written in each PEM format usher reads.
 */
public final class TestCertificates {
  private final Path openssl;
  private final Path directory;

  /** A certificate file and its key file. */
  public record Pair(Path certificate, Path privateKey) {}

  private TestCertificates(Path openssl, Path directory) {
    this.openssl = openssl;
    this.directory = directory;
  }

  /** Makes the authority in {@code directory}; skips the test where openssl is missing. */
  public static TestCertificates in(Path directory) throws IOException, InterruptedException {
    TestCertificates certificates =
        new TestCertificates(ExternalTools.require("openssl", "openssl"), directory);
    certificates.run(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "30",
        "-subj",
        "/CN=usher test CA");
    return certificates;
  }

  /** The authority's certificate: what clients trust. */
  public Path authority() {
    return directory.resolve("ca.crt");
  }

  /** A client's TLS context that trusts the authority, and nothing else. */
  public SSLContext clientContext() throws IOException, GeneralSecurityException {
    KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
    trusted.load(null, null);
    try (InputStream pem = Files.newInputStream(authority())) {
      trusted.setCertificateEntry(
          "usher test CA", CertificateFactory.getInstance("X.509").generateCertificate(pem));
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  /** A server certificate for localhost and 127.0.0.1, signed by the authority, EC P-256 key. */
  public Pair server(String name) throws IOException, InterruptedException {
    return signed(name, "/CN=" + name, List.of("ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"));
  }

  /** A server certificate like {@link #server} with an RSA 2048 key. */
  public Pair rsaServer(String name) throws IOException, InterruptedException {
    return signed(name, "/CN=" + name, List.of("rsa:2048"));
  }

  /** A client certificate, signed by the authority. */
  public Pair client(String name) throws IOException, InterruptedException {
    return signed(name, "/CN=" + name, List.of("ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"));
  }

  /** The key rewritten in its traditional format: PKCS#1 for RSA, SEC1 for EC. */
  public Path traditional(Pair pair, String algorithm) throws IOException, InterruptedException {
    String out = pair.privateKey().getFileName() + ".traditional.pem";
    if (algorithm.equals("rsa")) {
      run("rsa", "-in", pair.privateKey().toString(), "-traditional", "-out", out);
    } else {
      run("ec", "-in", pair.privateKey().toString(), "-out", out);
    }
    return directory.resolve(out);
  }

  /** The EC key in SEC1 with the EC PARAMETERS block openssl writes before it on request. */
  public Path sec1WithParameters(Pair pair) throws IOException, InterruptedException {
    String out = pair.privateKey().getFileName() + ".params.pem";
    run("ecparam", "-name", "prime256v1", "-out", out);
    Path sec1 = traditional(pair, "ec");
    Files.writeString(
        directory.resolve(out),
        Files.readString(sec1, StandardCharsets.US_ASCII),
        StandardCharsets.US_ASCII,
        java.nio.file.StandardOpenOption.APPEND);
    return directory.resolve(out);
  }

  /** The key encrypted with a passphrase (PKCS#8). */
  public Path encrypted(Pair pair) throws IOException, InterruptedException {
    String out = pair.privateKey().getFileName() + ".encrypted.pem";
    run(
        "pkcs8",
        "-topk8",
        "-in",
        pair.privateKey().toString(),
        "-out",
        out,
        "-passout",
        "pass:secret");
    return directory.resolve(out);
  }

  private Pair signed(String name, String subject, List<String> keyType)
      throws IOException, InterruptedException {
    List<String> request = new ArrayList<>(List.of("req", "-new", "-newkey"));
    request.addAll(keyType);
    request.addAll(
        List.of("-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", subject));
    run(request.toArray(String[]::new));
    Files.writeString(
        directory.resolve(name + ".ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    run(
        "x509",
        "-req",
        "-in",
        name + ".csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "30",
        "-extfile",
        name + ".ext",
        "-out",
        name + ".crt");
    return new Pair(directory.resolve(name + ".crt"), directory.resolve(name + ".key"));
  }

  private void run(String... arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(openssl.toString()));
    command.addAll(List.of(arguments));
    Process process =
        new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("openssl " + String.join(" ", arguments) + " failed: " + output);
    }
  }
}
