package dev.usher.http;

import static dev.usher.http.HttpConnectionRulesTest.statuses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import org.junit.jupiter.api.Test;

/**
 * Turns: a read batch that brings {@value HttpConnection#REQUESTS_PER_TURN} requests or more stops
 * the connection's reading until the loop has run its other work; the requests it brought beyond
 * the turn wait, read but not parsed, and are answered in the turns that follow, in order. A client
 * that does not read gets no more answers than the write buffer's high-water mark allows before its
 * reading stops.
 */
class HttpReadTurnsTest {
  private static final String GET = "GET / HTTP/1.1\r\nHost: usher\r\n\r\n";
  private static final int TURN = HttpConnection.REQUESTS_PER_TURN;

  @Test
  void aFloodOfPipelinedRequestsIsAnsweredATurnAtATime() {
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open()) {
      connection.sendInOneBatch(GET.repeat(2 * TURN + 22));
      assertEquals(TURN, statuses(connection.sent()).size());
      assertFalse(connection.reads(), "reads on after a turn's worth of requests");

      // An embedded loop runs, at once, the turns a real loop would run one per round.
      connection.runLoopTasks();
      assertEquals(TURN + 22, statuses(connection.sent()).size());
      assertTrue(connection.reads(), "reading did not resume once the held requests were answered");
    }
  }

  @Test
  void requestsPipelinedAsDeepAsClientsUsuallyDoTakeNoTurn() {
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open()) {
      connection.sendInOneBatch(GET.repeat(16));
      assertEquals(16, statuses(connection.sent()).size());
      assertTrue(connection.reads());
    }
  }

  @Test
  void theTurnCountsTheRequestsOfOneBatchOnly() {
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open()) {
      for (int i = 0; i < 4; i++) {
        connection.sendInOneBatch(GET.repeat(TURN - 1));
        assertTrue(connection.reads(), "batch " + i);
      }
      assertEquals(4 * (TURN - 1), statuses(connection.sent()).size());
    }
  }

  @Test
  void whenTheClientFinishesSendingEveryRequestHeldIsAnsweredThenTheConnectionCloses() {
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open()) {
      connection.sendInOneBatch(GET.repeat(TURN + 10));
      assertEquals(TURN, statuses(connection.sent()).size());

      connection.halfClose();
      assertEquals(10, statuses(connection.sent()).size());
      assertFalse(connection.isOpen());
    }
  }

  @Test
  void aClientThatDoesNotReadIsSentNoMoreThanTheHighWaterMarkBeforeReadingStops() {
    try (EmbeddedHttpConnection connection = EmbeddedHttpConnection.open()) {
      connection
          .channel()
          .config()
          .setOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1, 2));
      connection.sendInOneBatch(GET.repeat(3));
      assertEquals(1, statuses(connection.sent()).size(), "answered past the high-water mark");
      assertFalse(connection.reads());

      // The flush at the batch's end wrote the answer: the client caught up, and the requests held
      // are read at the loop's next rounds, one answer each, without a byte more from the client.
      connection.runLoopTasks();
      assertEquals(2, statuses(connection.sent()).size());
      assertTrue(connection.reads());
    }
  }
}
