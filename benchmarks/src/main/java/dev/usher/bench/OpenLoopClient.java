package dev.usher.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An open-loop HTTP/1.1 load client: it sends {@code GET URL} at a fixed arrival rate whatever the
 * server's answers do, as independent users would, unlike wrk and h2load, which wait for an answer
 * before they send again (and so slow down with the server they measure). Each request goes out at
 * its scheduled time on an idle keep-alive connection, or on a new one when every connection is
 * busy (up to {@code --max-connections}); a request not answered within {@code --timeout-ms} of its
 * scheduled time is given up and its connection closed, as a client that times out does.
 *
 * <p>Latency is measured from the scheduled time, not from the moment the request was written, so
 * that a client falling behind its schedule cannot hide the server's delays (coordinated omission).
 * Every request is one line of {@code --out}: {@code
 * scheduled_ms,sent_ms,outcome,status,latency_ms} (times from the start of the run; outcome {@code
 * answered}, {@code timeout}, {@code closed} (the connection ended before the answer: a reset),
 * {@code connect_failed}, or {@code no_connection} (every one of {@code --max-connections} busy:
 * never sent)). The last line of standard output is a summary in JSON, with the rate actually
 * achieved and how far behind its schedule the client ever was.
 *
 * <p>usage: {@code java -cp usher-benchmarks.jar dev.usher.bench.OpenLoopClient --url URL --rate
 * PER_SECOND --seconds S --out FILE [--timeout-ms 1000] [--connections 32] [--max-connections 8000]
 * [--warm-up-requests 200]}
 */
public final class OpenLoopClient {
  private static final int WARMING_UP = -2;
  private static final long TICK_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

  private enum Outcome {
    PENDING,
    ANSWERED,
    TIMEOUT,
    CLOSED,
    CONNECT_FAILED,
    NO_CONNECTION;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final URI url;
  private final double rate;
  private final int count;
  private final long timeoutNanos;
  private final int initialConnections;
  private final int maxConnections;
  private final Path out;

  private final long[] scheduled;
  private final long[] sent;
  private final long[] latency;
  private final int[] status;
  private final Outcome[] outcome;

  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final EventLoop loop = group.next();
  private final Bootstrap bootstrap = new Bootstrap();
  private final ArrayDeque<Connection> idle = new ArrayDeque<>();
  // The connection each pending request is on, by request index modulo a window far larger than
  // the requests that can be pending at once (rate × timeout).
  private final Connection[] inFlight = new Connection[1 << 20];
  private final CountDownLatch done = new CountDownLatch(1);
  private final CountDownLatch warmed = new CountDownLatch(1);
  private final int warmUpRequests;
  // Every field below is confined to the loop.
  private long startNanos;
  private int next;
  private int oldestOpen;
  private int open;
  private int peakOpen;
  private long maxBehindNanos;
  private long lastDispatchNanos;
  private int warmUpLeft;
  private int warmingUp;

  private OpenLoopClient(
      URI url,
      double rate,
      int seconds,
      long timeoutMillis,
      int initialConnections,
      int maxConnections,
      int warmUpRequests,
      Path out) {
    this.url = url;
    this.rate = rate;
    this.count = (int) Math.round(rate * seconds);
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    this.initialConnections = initialConnections;
    this.maxConnections = maxConnections;
    this.warmUpRequests = warmUpRequests;
    this.out = out;
    this.scheduled = new long[count];
    this.sent = new long[count];
    this.latency = new long[count];
    this.status = new int[count];
    this.outcome = new Outcome[count];
    Arrays.fill(outcome, Outcome.PENDING);
    bootstrap
        .group(group)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeoutMillis)
        .handler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel channel) {
                channel
                    .pipeline()
                    .addLast(new HttpClientCodec())
                    .addLast(new HttpObjectAggregator(1 << 20))
                    .addLast(new Connection());
              }
            });
  }

  public static void main(String[] args) throws Exception {
    String url = null;
    String out = null;
    double rate = 0;
    int seconds = 0;
    long timeoutMillis = 1000;
    int connections = 32;
    int maxConnections = 8000;
    int warmUpRequests = 200;
    for (int i = 0; i + 1 < args.length; i += 2) {
      String value = args[i + 1];
      switch (args[i]) {
        case "--url" -> url = value;
        case "--rate" -> rate = Double.parseDouble(value);
        case "--seconds" -> seconds = Integer.parseInt(value);
        case "--out" -> out = value;
        case "--timeout-ms" -> timeoutMillis = Long.parseLong(value);
        case "--connections" -> connections = Integer.parseInt(value);
        case "--max-connections" -> maxConnections = Integer.parseInt(value);
        case "--warm-up-requests" -> warmUpRequests = Integer.parseInt(value);
        default -> usage("unknown option " + args[i]);
      }
    }
    if (url == null || out == null || rate <= 0 || seconds <= 0 || args.length % 2 != 0) {
      usage("--url, --rate (> 0), --seconds (> 0) and --out are needed");
    }
    OpenLoopClient client =
        new OpenLoopClient(
            URI.create(url),
            rate,
            seconds,
            timeoutMillis,
            connections,
            maxConnections,
            warmUpRequests,
            Path.of(out));
    client.run(System.out);
  }

  private static void usage(String problem) {
    System.err.println(
        "OpenLoopClient: "
            + problem
            + "\nusage: OpenLoopClient --url URL --rate PER_SECOND --seconds S --out FILE"
            + " [--timeout-ms 1000] [--connections 32] [--max-connections 8000]"
            + " [--warm-up-requests 200]");
    System.exit(2);
  }

  private void run(PrintStream summary) throws InterruptedException, IOException {
    try {
      // The first connections are opened before the clock starts: a warm pool, as a client that
      // has been running for a while has. One refused (a server that sheds resets new
      // connections) is simply not in the pool.
      for (int i = 0; i < Math.min(initialConnections, maxConnections); i++) {
        ChannelFuture connecting = bootstrap.connect(url.getHost(), url.getPort()).await();
        if (connecting.isSuccess()) {
          loop.submit(() -> onOpened(connecting.channel())).sync();
        }
      }
      // Then a few requests one after another, not recorded, so that the client's own code
      // is loaded and compiled before the clock starts.
      loop.execute(() -> startWarmUp(warmUpRequests));
      warmed.await(10, TimeUnit.SECONDS);
      loop.execute(
          () -> {
            startNanos = System.nanoTime();
            tick();
          });
      done.await();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
    write();
    summary.println(summaryJson());
  }

  private long now() {
    return System.nanoTime() - startNanos;
  }

  /** Sends every request whose time has come, gives up those past their timeout, and re-arms. */
  private void tick() {
    long now = now();
    while (next < count && scheduledAt(next) <= now) {
      int request = next++;
      scheduled[request] = scheduledAt(request);
      maxBehindNanos = Math.max(maxBehindNanos, now - scheduled[request]);
      lastDispatchNanos = now;
      send(request);
    }
    while (oldestOpen < next && outcome[oldestOpen] != Outcome.PENDING) {
      oldestOpen++;
    }
    for (int request = oldestOpen;
        request < next && scheduled[request] + timeoutNanos <= now;
        request++) {
      if (outcome[request] == Outcome.PENDING) {
        Connection connection = inFlight[request % inFlight.length];
        finish(request, Outcome.TIMEOUT, 0, now);
        if (connection != null) {
          connection.giveUp();
        }
      }
    }
    if (next == count && oldestOpen >= count) {
      done.countDown();
      return;
    }
    long wait = next < count ? scheduledAt(next) - now() : TICK_NANOS;
    loop.schedule(this::tick, Math.max(0, Math.min(wait, TICK_NANOS)), TimeUnit.NANOSECONDS);
  }

  private long scheduledAt(int request) {
    return (long) (request * 1e9 / rate);
  }

  private void send(int request) {
    Connection connection = idle.pollFirst();
    if (connection != null) {
      connection.send(request);
      return;
    }
    if (open >= maxConnections) {
      finish(request, Outcome.NO_CONNECTION, 0, now());
      return;
    }
    open++;
    peakOpen = Math.max(peakOpen, open);
    ChannelFuture connecting = bootstrap.connect(url.getHost(), url.getPort());
    connecting.addListener(
        future -> {
          if (future.isSuccess()) {
            Connection fresh = connecting.channel().pipeline().get(Connection.class);
            fresh.counted = true;
            if (outcome[request] == Outcome.PENDING) {
              fresh.send(request);
            } else {
              idle.addLast(fresh); // the request timed out while its connection was being made
            }
          } else {
            open--;
            finish(request, Outcome.CONNECT_FAILED, 0, now());
          }
        });
  }

  // One at a time: more at once would queue on a server with one busy loop, and its shedding
  // rules would then greet the measured run already shedding.
  private void startWarmUp(int requests) {
    warmUpLeft = requests;
    if (warmUpLeft > 0 && !idle.isEmpty()) {
      warmUpLeft--;
      warmingUp++;
      idle.pollFirst().send(WARMING_UP);
    } else {
      warmed.countDown();
    }
  }

  private void warmedUpOne() {
    warmingUp--;
    if (warmUpLeft > 0 && !idle.isEmpty()) {
      warmUpLeft--;
      warmingUp++;
      idle.pollFirst().send(WARMING_UP);
    } else if (warmingUp == 0) {
      warmed.countDown();
    }
  }

  private void onOpened(Channel channel) {
    if (!channel.isActive()) {
      return;
    }
    Connection connection = channel.pipeline().get(Connection.class);
    connection.counted = true;
    open++;
    peakOpen = Math.max(peakOpen, open);
    idle.addLast(connection);
  }

  private void finish(int request, Outcome result, int httpStatus, long atNanos) {
    if (outcome[request] != Outcome.PENDING) {
      return;
    }
    outcome[request] = result;
    status[request] = httpStatus;
    latency[request] = atNanos - scheduled[request];
    inFlight[request % inFlight.length] = null;
  }

  /** One keep-alive connection: at most one request in flight, then back to the idle pool. */
  private final class Connection extends SimpleChannelInboundHandler<FullHttpResponse> {
    private Channel channel;
    private int request = -1;
    private boolean counted;
    private boolean closing;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      // Not channelActive: a connect future's listeners run before the channel is announced active.
      channel = ctx.channel();
    }

    void send(int index) {
      request = index;
      if (index >= 0) {
        inFlight[index % inFlight.length] = this;
        sent[index] = now();
      }
      FullHttpRequest get =
          new DefaultFullHttpRequest(
              HttpVersion.HTTP_1_1, HttpMethod.GET, url.getRawPath() + query());
      get.headers().set(HttpHeaderNames.HOST, url.getHost() + ":" + url.getPort());
      channel.writeAndFlush(get);
    }

    /** The request's time is up: a client that gives up closes its connection. */
    void giveUp() {
      request = -1;
      close();
    }

    private void close() {
      if (!closing) {
        closing = true;
        idle.remove(this);
        if (counted) {
          open--;
        }
        channel.close();
      }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
      long at = now();
      boolean warmUp = request == WARMING_UP;
      if (request >= 0) {
        finish(request, Outcome.ANSWERED, response.status().code(), at);
      }
      request = -1;
      if (HttpUtil.isKeepAlive(response) && !closing) {
        idle.addFirst(this);
      } else {
        close();
      }
      if (warmUp) {
        warmedUpOne();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      boolean warmUp = request == WARMING_UP;
      if (request >= 0) {
        finish(request, Outcome.CLOSED, 0, now());
      }
      request = -1;
      close();
      if (warmUp) {
        warmedUpOne();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // A reset or a broken pipe: channelInactive follows and counts the request.
      ctx.close();
    }
  }

  private String query() {
    return url.getRawQuery() == null ? "" : "?" + url.getRawQuery();
  }

  private void write() throws IOException {
    try (BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      writer.write("scheduled_ms,sent_ms,outcome,status,latency_ms\n");
      for (int i = 0; i < count; i++) {
        boolean wasSent = outcome[i] != Outcome.NO_CONNECTION;
        writer.write(
            String.format(
                Locale.ROOT,
                "%.3f,%s,%s,%d,%s%n",
                scheduled[i] / 1e6,
                wasSent ? String.format(Locale.ROOT, "%.3f", sent[i] / 1e6) : "",
                outcome[i].label(),
                status[i],
                outcome[i] == Outcome.ANSWERED
                    ? String.format(Locale.ROOT, "%.3f", latency[i] / 1e6)
                    : ""));
      }
    }
  }

  private String summaryJson() {
    int sentCount = 0;
    for (Outcome result : outcome) {
      if (result != Outcome.NO_CONNECTION) {
        sentCount++;
      }
    }
    double sendingSeconds = lastDispatchNanos / 1e9;
    return String.format(
        Locale.ROOT,
        "{\"target_rate\": %.1f, \"requests\": %d, \"sent\": %d, \"achieved_rate\": %.1f,"
            + " \"max_behind_schedule_ms\": %.3f, \"peak_connections\": %d}",
        rate,
        count,
        sentCount,
        sendingSeconds > 0 ? (count - 1) / sendingSeconds : 0.0,
        maxBehindNanos / 1e6,
        peakOpen);
  }
}
