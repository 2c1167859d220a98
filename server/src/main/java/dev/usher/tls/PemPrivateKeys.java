package dev.usher.tls;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a PEM private key as openssl, cert-manager and the cloud providers write them: PKCS#8
 * ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) and SEC1 ({@code EC PRIVATE KEY}). The
 * JDK reads only PKCS#8, so the other two are wrapped as PKCS#8 first (RFC 5208, RFC 5915).
 */
final class PemPrivateKeys {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\s*(.*?)-----END \\1-----", Pattern.DOTALL);
  // AlgorithmIdentifier { rsaEncryption, NULL } and the OID of id-ecPublicKey.
  private static final byte[] RSA_ALGORITHM =
      HexFormat.of().parseHex("300d06092a864886f70d0101010500");
  private static final byte[] EC_PUBLIC_KEY_OID = HexFormat.of().parseHex("06072a8648ce3d0201");
  private static final byte[] VERSION_0 = {Der.INTEGER, 1, 0};

  private PemPrivateKeys() {}

  /** The private key in {@code pem}; the message of a failure says what was found instead. */
  static PrivateKey parse(String pem) throws GeneralSecurityException {
    Matcher block = BLOCK.matcher(pem);
    while (block.find()) {
      String label = block.group(1);
      String body = block.group(2);
      switch (label) {
        case "PRIVATE KEY" -> {
          return pkcs8(decode(body));
        }
        case "RSA PRIVATE KEY" -> {
          rejectEncrypted(body);
          byte[] pkcs1 = decode(body);
          return KeyFactory.getInstance("RSA")
              .generatePrivate(
                  new PKCS8EncodedKeySpec(
                      Der.encode(
                          Der.SEQUENCE,
                          VERSION_0,
                          RSA_ALGORITHM,
                          Der.encode(Der.OCTET_STRING, pkcs1))));
        }
        case "EC PRIVATE KEY" -> {
          rejectEncrypted(body);
          byte[] sec1 = decode(body);
          byte[] curve =
              namedCurve(sec1)
                  .orElseThrow(
                      () ->
                          new GeneralSecurityException(
                              "the EC key does not name its curve (write it with openssl's"
                                  + " -param_enc named_curve)"));
          return KeyFactory.getInstance("EC")
              .generatePrivate(
                  new PKCS8EncodedKeySpec(
                      Der.encode(
                          Der.SEQUENCE,
                          VERSION_0,
                          Der.encode(Der.SEQUENCE, EC_PUBLIC_KEY_OID, curve),
                          Der.encode(Der.OCTET_STRING, sec1))));
        }
        case "ENCRYPTED PRIVATE KEY" ->
            throw new GeneralSecurityException(
                "the key is encrypted; usher reads unencrypted keys (openssl pkey -in KEY"
                    + " -out PLAIN writes one)");
        default -> {
          // Another block, such as EC PARAMETERS before an EC key: look further.
        }
      }
    }
    throw new GeneralSecurityException(
        "no PEM private key in it (expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
  }

  private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    GeneralSecurityException last = null;
    for (String algorithm : new String[] {"RSA", "EC"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException notThisOne) {
        last = notThisOne;
      }
    }
    throw new GeneralSecurityException("the PKCS#8 key is neither RSA nor EC", last);
  }

  // ECPrivateKey ::= SEQUENCE { version, privateKey OCTET STRING, [0] parameters, [1] publicKey }
  private static Optional<byte[]> namedCurve(byte[] sec1) {
    try {
      Der.Reader key = Der.Reader.sequence(sec1);
      key.next(Der.INTEGER);
      key.next(Der.OCTET_STRING);
      while (key.hasNext()) {
        if (key.peekTag() == Der.CONTEXT_0) {
          Der.Reader parameters = key.enter(Der.CONTEXT_0);
          return parameters.peekTag() == Der.OBJECT_IDENTIFIER
              ? Optional.of(parameters.nextEncoded())
              : Optional.empty();
        }
        key.nextEncoded();
      }
      return Optional.empty();
    } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException malformed) {
      return Optional.empty();
    }
  }

  private static void rejectEncrypted(String body) throws GeneralSecurityException {
    if (body.contains("Proc-Type: 4,ENCRYPTED")) {
      throw new GeneralSecurityException(
          "the key is encrypted; usher reads unencrypted keys (openssl pkey -in KEY -out PLAIN"
              + " writes one)");
    }
  }

  private static byte[] decode(String body) throws GeneralSecurityException {
    try {
      return Base64.getMimeDecoder().decode(body);
    } catch (IllegalArgumentException notBase64) {
      throw new GeneralSecurityException("the PEM block is not valid base64");
    }
  }
}
