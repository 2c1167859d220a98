package dev.usher.http;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/2 frames written and read byte by byte (RFC 9113 §4), so that tests can act as a client no
 * library would be: one that ignores SETTINGS, resets streams in a loop, or answers PINGs late.
 * Header blocks use HPACK's static table only.
 */
final class Http2Frames {
  static final int DATA = 0x0;
  static final int HEADERS = 0x1;
  static final int RST_STREAM = 0x3;
  static final int SETTINGS = 0x4;
  static final int PING = 0x6;
  static final int GOAWAY = 0x7;
  static final int WINDOW_UPDATE = 0x8;
  static final int END_STREAM = 0x1;
  static final int ACK = 0x1;
  static final int END_HEADERS = 0x4;
  static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private Http2Frames() {}

  /** One frame read from the wire. */
  record Frame(int type, int flags, int streamId, byte[] payload) {
    boolean has(int flag) {
      return (flags & flag) != 0;
    }

    /** GOAWAY's last stream id. */
    int lastStreamId() {
      return ByteBuffer.wrap(payload).getInt() & 0x7FFF_FFFF;
    }

    /** GOAWAY's or RST_STREAM's error code. */
    long errorCode() {
      return ByteBuffer.wrap(payload, type == GOAWAY ? 4 : 0, 4).getInt() & 0xFFFF_FFFFL;
    }

    @Override
    public String toString() {
      return "frame type " + type + " flags " + flags + " stream " + streamId;
    }
  }

  static byte[] frame(int type, int flags, int streamId, byte[] payload) {
    ByteBuffer frame = ByteBuffer.allocate(9 + payload.length);
    frame.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8));
    frame.put((byte) payload.length).put((byte) type).put((byte) flags).putInt(streamId);
    return frame.put(payload).array();
  }

  /** The client's preface and an empty SETTINGS frame. */
  static byte[] clientStart() {
    return concat(PREFACE, frame(SETTINGS, 0, 0, new byte[0]));
  }

  static byte[] settingsAck() {
    return frame(SETTINGS, ACK, 0, new byte[0]);
  }

  /** {@code method path} on {@code streamId}, authority {@code a}, its end flagged or not. */
  static byte[] request(int streamId, String method, boolean endStream) {
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    block.write(method.equals("POST") ? 0x83 : 0x82); // :method from the static table
    block.write(0x86); // :scheme http
    block.write(0x84); // :path /
    block.write(0x41); // :authority, literal value
    block.write(1);
    block.write('a');
    return frame(
        HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), streamId, block.toByteArray());
  }

  /** A HEADERS frame of trailers ({@code x-t: 1}) that ends the stream. */
  static byte[] trailers(int streamId) {
    byte[] block = {0x40, 3, 'x', '-', 't', 1, '1'};
    return frame(HEADERS, END_HEADERS | END_STREAM, streamId, block);
  }

  /** A HEADERS frame of trailers that does not end the stream: malformed (RFC 9113 §8.1). */
  static byte[] headersAgain(int streamId) {
    byte[] block = {0x40, 3, 'x', '-', 't', 1, '1'};
    return frame(HEADERS, END_HEADERS, streamId, block);
  }

  static byte[] data(int streamId, String text, boolean endStream) {
    return frame(
        DATA, endStream ? END_STREAM : 0, streamId, text.getBytes(StandardCharsets.US_ASCII));
  }

  /** RST_STREAM with CANCEL. */
  static byte[] reset(int streamId) {
    return frame(RST_STREAM, 0, streamId, ByteBuffer.allocate(4).putInt(0x8).array());
  }

  static byte[] pingAck(byte[] payload) {
    return frame(PING, ACK, 0, payload);
  }

  static Frame read(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    int length = (data.readUnsignedByte() << 16) | data.readUnsignedShort();
    int type = data.readUnsignedByte();
    int flags = data.readUnsignedByte();
    int streamId = data.readInt() & 0x7FFF_FFFF;
    byte[] payload = data.readNBytes(length);
    if (payload.length != length) {
      throw new IOException("the connection ended inside a frame");
    }
    return new Frame(type, flags, streamId, payload);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      all.writeBytes(part);
    }
    return all.toByteArray();
  }
}
