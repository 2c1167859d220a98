package dev.usher.proxyprotocol;

import dev.usher.accept.Refusal;
import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On a connection from a source that is not trusted: a PROXY protocol header there is an attempt to
 * choose the address usher believes, so the connection is refused ({@code proxy_untrusted}). Any
 * other first bytes pass on untouched, and the guard steps aside as soon as one byte differs from
 * both signatures (a client that sends three bytes and waits is not kept waiting).
 */
final class ProxyHeaderGuard extends ByteToMessageDecoder {
  private static final Logger log = LoggerFactory.getLogger(ProxyHeaderGuard.class);
  private static final byte[] V1_SIGNATURE = "PROXY ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] V2_SIGNATURE = {
    0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A
  };

  private final Counter refused;

  ProxyHeaderGuard(Counter refused) {
    this.refused = refused;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    boolean v1 = startsLike(in, V1_SIGNATURE);
    boolean v2 = startsLike(in, V2_SIGNATURE);
    if (!v1 && !v2) {
      ctx.pipeline().remove(this);
    } else if (whole(in, v1, V1_SIGNATURE) || whole(in, v2, V2_SIGNATURE)) {
      in.skipBytes(in.readableBytes());
      refused.increment();
      log.debug(
          "connection from {} refused: a PROXY protocol header from an untrusted source",
          ctx.channel().remoteAddress());
      Refusal.reset(ctx.channel());
    }
  }

  // Whether what has arrived so far agrees with the signature's first bytes.
  private static boolean startsLike(ByteBuf in, byte[] signature) {
    int length = Math.min(in.readableBytes(), signature.length);
    for (int i = 0; i < length; i++) {
      if (in.getByte(in.readerIndex() + i) != signature[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean whole(ByteBuf in, boolean matching, byte[] signature) {
    return matching && in.readableBytes() >= signature.length;
  }
}
