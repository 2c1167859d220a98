package dev.usher.tls;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/** The few DER encodings usher needs to rewrap a PKCS#1 or SEC1 key as PKCS#8 (RFC 5208). */
final class Der {
  static final int INTEGER = 0x02;
  static final int OCTET_STRING = 0x04;
  static final int OBJECT_IDENTIFIER = 0x06;
  static final int SEQUENCE = 0x30;
  static final int CONTEXT_0 = 0xA0;

  private Der() {}

  /** One tag-length-value. */
  static byte[] encode(int tag, byte[]... contents) {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    for (byte[] part : contents) {
      content.writeBytes(part);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int length = content.size();
    if (length < 0x80) {
      out.write(length);
    } else {
      int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(length >>> (8 * i));
      }
    }
    out.writeBytes(content.toByteArray());
    return out.toByteArray();
  }

  /** Reads the elements of a constructed value, one tag-length-value at a time. */
  static final class Reader {
    private final byte[] der;
    private int position;
    private final int end;

    Reader(byte[] der, int start, int end) {
      this.der = der;
      this.position = start;
      this.end = end;
    }

    /** The contents of the SEQUENCE that {@code der} is. */
    static Reader sequence(byte[] der) {
      Reader outer = new Reader(der, 0, der.length);
      int[] bounds = outer.next(SEQUENCE);
      return new Reader(der, bounds[0], bounds[1]);
    }

    boolean hasNext() {
      return position < end;
    }

    int peekTag() {
      return der[position] & 0xFF;
    }

    /** The next element's whole encoding (tag and length included). */
    byte[] nextEncoded() {
      int start = position;
      next(peekTag());
      return Arrays.copyOfRange(der, start, position);
    }

    /** The contents of the next element, which must have {@code tag}: their start and end. */
    int[] next(int tag) {
      if (position + 2 > end || (der[position] & 0xFF) != tag) {
        throw new IllegalArgumentException("unexpected DER structure");
      }
      position++;
      int length = der[position++] & 0xFF;
      if (length >= 0x80) {
        int bytes = length & 0x7F;
        if (bytes == 0 || bytes > 3 || position + bytes > end) {
          throw new IllegalArgumentException("unexpected DER length");
        }
        length = 0;
        for (int i = 0; i < bytes; i++) {
          length = (length << 8) | (der[position++] & 0xFF);
        }
      }
      if (position + length > end) {
        throw new IllegalArgumentException("truncated DER value");
      }
      int[] bounds = {position, position + length};
      position += length;
      return bounds;
    }

    Reader enter(int tag) {
      int[] bounds = next(tag);
      return new Reader(der, bounds[0], bounds[1]);
    }
  }
}
