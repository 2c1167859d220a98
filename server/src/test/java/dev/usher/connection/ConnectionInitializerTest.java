package dev.usher.connection;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.app.UsherApplication;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The last resort for errors: added after an application's handlers unless the last owns them. */
class ConnectionInitializerTest {

  @Test
  void anErrorNoHandlerDealtWithClosesTheConnection() {
    EmbeddedChannel connection = connectionOf(new ChannelInboundHandlerAdapter());
    assertSame(ConnectionErrorHandler.INSTANCE, connection.pipeline().get(PipelineNames.ERRORS));

    connection.pipeline().fireExceptionCaught(new IllegalStateException("nobody's"));

    assertFalse(connection.isOpen());
    connection.checkException();
  }

  @Test
  void aLastHandlerThatOwnsItsErrorsIsTheLast() {
    ClosesOnError owner = new ClosesOnError();
    EmbeddedChannel connection = connectionOf(owner);
    assertNull(connection.pipeline().get(PipelineNames.ERRORS));
    assertSame(owner, connection.pipeline().last());

    connection.pipeline().fireExceptionCaught(new IllegalStateException("its own"));

    assertTrue(owner.caught);
    assertFalse(connection.isOpen());
    connection.checkException();
  }

  private static EmbeddedChannel connectionOf(ChannelHandler last) {
    UsherApplication application =
        new UsherApplication() {
          @Override
          public String name() {
            return "test";
          }

          @Override
          public void initConnection(ChannelPipeline pipeline) {
            pipeline.addLast(last);
          }
        };
    return new EmbeddedChannel(
        new ConnectionInitializer(
            application, Optional.empty(), Optional.empty(), LoopOverloadGuard.NONE));
  }

  private static final class ClosesOnError extends ChannelInboundHandlerAdapter
      implements OwnsErrors {
    boolean caught;

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      caught = true;
      ConnectionErrorHandler.closeAfter(ctx, cause);
    }
  }
}
