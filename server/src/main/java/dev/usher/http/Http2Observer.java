package dev.usher.http;

import io.netty.handler.codec.http2.Http2Error;

/**
 * Where HTTP/2 connections report what usher counts about them (its meters), kept apart from the
 * connection's rules. Called from the connections' event loops.
 */
public interface Http2Observer {
  Http2Observer NONE =
      new Http2Observer() {
        @Override
        public void streamOpened() {}

        @Override
        public void streamClosed() {}

        @Override
        public void goAwaySent(Http2Error error) {}

        @Override
        public void resetReceived() {}
      };

  void streamOpened();

  void streamClosed();

  /** A GOAWAY went out: the graceful drain's ({@code NO_ERROR}) or a connection error's. */
  void goAwaySent(Http2Error error);

  /** The client reset a stream ({@code RST_STREAM}). */
  void resetReceived();
}
