package dev.teeledger.abci.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.net.BindException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.net.StandardProtocolFamily;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tendermint.abci.Types.Request;
import tendermint.abci.Types.RequestCheckTx;
import tendermint.abci.Types.RequestCommit;
import tendermint.abci.Types.RequestFinalizeBlock;
import tendermint.abci.Types.RequestInfo;
import tendermint.abci.Types.RequestQuery;
import tendermint.abci.Types.Response;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AbciServerTest {

  enum Transport { TCP, UNIX }

  @TempDir
  Path tempDir;

  private final TestApplication app = new TestApplication();
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @AfterEach
  void closeEverything() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
  }

  private AbciServerConfig config(Transport transport) {
    String address = transport == Transport.TCP
        ? "tcp://127.0.0.1:0"
        : "unix://" + tempDir.resolve("abci.sock");
    return AbciServerConfig.forAddress(address).withShutdownTimeout(Duration.ofSeconds(5));
  }

  private AbciServer start(AbciServerConfig config, AbciApplication application)
      throws IOException {
    AbciServer server = new AbciServer(config, application);
    cleanup.add(server);
    server.start();
    return server;
  }

  private AbciServer start(Transport transport) throws IOException {
    return start(config(transport), app);
  }

  private AbciTestClient connect(AbciServer server) throws IOException {
    AbciTestClient client = AbciTestClient.connect(server.localAddress());
    cleanup.add(client);
    return client;
  }

  private static Request checkTx(String tx) {
    return Request.newBuilder()
        .setCheckTx(RequestCheckTx.newBuilder().setTx(ByteString.copyFromUtf8(tx))).build();
  }

  private static List<String> liveServerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("abci-server-"))
        .toList();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void answersEchoAndFlush(Transport transport) throws IOException {
    AbciServer server = start(transport);
    AbciTestClient client = connect(server);
    client.send(AbciTestClient.echo("ping"), AbciTestClient.flush());
    assertThat(client.receive().getEcho().getMessage()).isEqualTo("ping");
    assertThat(client.receive().hasFlush()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void answersInfoFromTheApplication(Transport transport) throws IOException {
    AbciServer server = start(transport);
    AbciTestClient client = connect(server);
    Response r = client.call(Request.newBuilder()
        .setInfo(RequestInfo.newBuilder().setVersion("0.38.25")).build());
    assertThat(r.getInfo().getData()).isEqualTo("test-app");
    assertThat(r.getInfo().getVersion()).isEqualTo("0.38.25");
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void answersPipelinedRequestsInOrderWithMatchingTypes(Transport transport) throws Exception {
    AbciServer server = start(transport);
    AbciTestClient client = connect(server);
    int count = 5000;
    List<Request> requests = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      requests.add(switch (i % 4) {
        case 0 -> AbciTestClient.echo("m" + i);
        case 1 -> checkTx("x".repeat(i % 200));
        case 2 -> Request.newBuilder().setQuery(
            RequestQuery.newBuilder().setData(ByteString.copyFromUtf8("q" + i))).build();
        default -> AbciTestClient.flush();
      });
    }
    // Write from another thread, as CometBFT does, so neither side's socket buffer can fill
    // up while the other waits.
    ExecutorService writer = Executors.newSingleThreadExecutor();
    try {
      Future<?> sent = writer.submit(() -> {
        for (int i = 0; i < count; i += 100) {
          client.send(requests.subList(i, Math.min(count, i + 100)).toArray(new Request[0]));
        }
        client.send(AbciTestClient.flush());
        return null;
      });
      for (int i = 0; i < count; i++) {
        Response r = client.receive();
        Request q = requests.get(i);
        assertThat(r.getValueCase().name()).as("response %d", i)
            .isEqualTo(q.getValueCase().name());
        switch (i % 4) {
          case 0 -> assertThat(r.getEcho().getMessage()).isEqualTo("m" + i);
          case 1 -> assertThat(r.getCheckTx().getCode()).isEqualTo(i % 200);
          case 2 -> assertThat(r.getQuery().getValue().toStringUtf8()).isEqualTo("q" + i);
          default -> assertThat(r.hasFlush()).isTrue();
        }
      }
      assertThat(client.receive().hasFlush()).isTrue();
      sent.get(10, TimeUnit.SECONDS);
    } finally {
      writer.shutdownNow();
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void roundTripsFinalizeBlockAndCommit(Transport transport) throws IOException {
    AbciServer server = start(transport);
    AbciTestClient client = connect(server);
    Response fin = client.call(Request.newBuilder().setFinalizeBlock(
        RequestFinalizeBlock.newBuilder().setHeight(7)
            .addTxs(ByteString.copyFromUtf8("a"))
            .addTxs(ByteString.copyFromUtf8("bcd"))
            .addTxs(ByteString.copyFrom(new byte[100_000])))
        .build());
    assertThat(fin.getFinalizeBlock().getTxResultsList())
        .extracting(r -> r.getCode())
        .containsExactly(1, 3, 100_000);
    assertThat(fin.getFinalizeBlock().getTxResults(1).getData().toStringUtf8()).isEqualTo("bcd");
    assertThat(fin.getFinalizeBlock().getAppHash().toByteArray()).containsExactly(7);
    Response commit = client.call(
        Request.newBuilder().setCommit(RequestCommit.getDefaultInstance()).build());
    assertThat(commit.hasCommit()).isTrue();
    assertThat(app.height.get()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void answersApplicationFailureWithExceptionAndClosesOnlyThatConnection(Transport transport)
      throws IOException {
    AbciServer server = start(transport);
    AbciTestClient other = connect(server);
    AbciTestClient client = connect(server);
    client.send(checkTx("ok"), Request.newBuilder().setFinalizeBlock(
        RequestFinalizeBlock.newBuilder().addTxs(ByteString.copyFromUtf8("boom"))).build(),
        AbciTestClient.flush());
    assertThat(client.receive().getCheckTx().getCode()).isEqualTo(2);
    Response failed = client.receive();
    assertThat(failed.getException().getError())
        .isEqualTo("FinalizeBlock failed: IllegalStateException: invariant broken by tx boom");
    assertThat(client.serverClosed()).isTrue();

    assertThat(other.call(AbciTestClient.echo("still here")).getEcho().getMessage())
        .isEqualTo("still here");
    AbciTestClient again = connect(server);
    assertThat(again.call(AbciTestClient.echo("new")).getEcho().getMessage()).isEqualTo("new");
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void servesFourConnectionsConcurrently(Transport transport) throws Exception {
    // Each call waits at a barrier until all four connections are inside the application:
    // this only completes if the server really runs them at the same time.
    CyclicBarrier barrier = new CyclicBarrier(4);
    app.hook = method -> {
      try {
        barrier.await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("connections were not served concurrently", e);
      }
    };
    AbciServer server = start(transport);
    List<AbciTestClient> clients = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      clients.add(connect(server));
    }
    List<Request> requests = List.of(
        Request.newBuilder().setFinalizeBlock(RequestFinalizeBlock.getDefaultInstance()).build(),
        checkTx("tx"),
        Request.newBuilder().setQuery(RequestQuery.getDefaultInstance()).build(),
        Request.newBuilder().setInfo(RequestInfo.getDefaultInstance()).build());
    List<CompletableFuture<Response>> answers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      AbciTestClient c = clients.get(i);
      Request r = requests.get(i);
      answers.add(CompletableFuture.supplyAsync(() -> {
        try {
          return c.call(r);
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    for (CompletableFuture<Response> a : answers) {
      assertThat(a.get(20, TimeUnit.SECONDS).hasException()).isFalse();
    }
    assertThat(server.connectionCount()).isEqualTo(4);
  }

  @Test
  void serializesApplicationCallsWhenConfigured() throws Exception {
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger maxInside = new AtomicInteger();
    app.hook = method -> {
      maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      inside.decrementAndGet();
    };
    AbciServer server = start(config(Transport.TCP).withSerializeApplicationCalls(true), app);
    List<CompletableFuture<Void>> runs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      AbciTestClient c = connect(server);
      runs.add(CompletableFuture.runAsync(() -> {
        try {
          for (int k = 0; k < 25; k++) {
            assertThat(c.call(checkTx("t")).hasCheckTx()).isTrue();
          }
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    CompletableFuture.allOf(runs.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
    assertThat(maxInside.get()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void closesConnectionSendingOversizeFrameAndKeepsServingOthers(Transport transport)
      throws IOException {
    AbciServer server = start(config(transport).withMaxFrameBytes(1024), app);
    AbciTestClient good = connect(server);
    AbciTestClient bad = connect(server);
    bad.send(checkTx("y".repeat(2000)));
    Response r = bad.receive();
    assertThat(r.getException().getError()).contains("exceeds the maximum of 1024 bytes");
    assertThat(bad.serverClosed()).isTrue();
    assertThat(good.call(checkTx("abc")).getCheckTx().getCode()).isEqualTo(3);
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void closesConnectionOnMalformedVarintOrUndecodableRequest(Transport transport)
      throws IOException {
    AbciServer server = start(transport);
    AbciTestClient varint = connect(server);
    byte[] endless = new byte[11];
    java.util.Arrays.fill(endless, (byte) 0x80);
    varint.sendRaw(endless);
    assertThat(varint.receive().getException().getError()).contains("framing error");
    assertThat(varint.serverClosed()).isTrue();

    AbciTestClient garbage = connect(server);
    garbage.sendRaw(new byte[] {2, (byte) 0x0a, (byte) 0xff}); // field 1, length 255, cut
    assertThat(garbage.receive().getException().getError()).contains("undecodable request");
    assertThat(garbage.serverClosed()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void treatsStreamCutInsideFrameAsClosedConnection(Transport transport) throws Exception {
    AbciServer server = start(transport);
    AbciTestClient client = connect(server);
    client.sendRaw(new byte[] {10, 1, 2}); // announces 10 bytes, sends 2
    client.shutdownOutput();
    assertThat(client.receive().getException().getError()).contains("stream ended");
    assertThat(client.serverClosed()).isTrue();
    waitFor(() -> server.connectionCount() == 0);
    assertThat(connect(server).call(AbciTestClient.echo("x")).hasEcho()).isTrue();
  }

  @Test
  void refusesConnectionsBeyondTheMaximum() throws Exception {
    AbciServer server = start(config(Transport.TCP).withMaxConnections(2), app);
    AbciTestClient a = connect(server);
    AbciTestClient b = connect(server);
    assertThat(a.call(AbciTestClient.echo("a")).hasEcho()).isTrue();
    assertThat(b.call(AbciTestClient.echo("b")).hasEcho()).isTrue();
    AbciTestClient c = connect(server);
    assertThat(c.serverClosed()).isTrue();
    a.close();
    waitFor(() -> server.connectionCount() == 1);
    assertThat(connect(server).call(AbciTestClient.echo("d")).hasEcho()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void closeFinishesRequestInFlightAndLeavesNoThread(Transport transport) throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    app.hook = method -> {
      if (method.equals("finalizeBlock")) {
        entered.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    AbciServer server = start(transport);
    AbciTestClient idle = connect(server);
    AbciTestClient busy = connect(server);
    assertThat(idle.call(AbciTestClient.echo("x")).hasEcho()).isTrue();
    busy.send(Request.newBuilder().setFinalizeBlock(RequestFinalizeBlock.newBuilder()
        .addTxs(ByteString.copyFromUtf8("tx"))).build(), AbciTestClient.flush());
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
    Thread.sleep(200);
    assertThat(closing).as("close waits for the request in flight").isNotDone();
    release.countDown();
    closing.get(10, TimeUnit.SECONDS);

    Response inFlight = busy.receive();
    assertThat(inFlight.getFinalizeBlock().getTxResultsCount()).isEqualTo(1);
    assertThat(busy.serverClosed()).isTrue();
    assertThat(idle.serverClosed()).isTrue();
    assertThat(server.isRunning()).isFalse();
    assertThat(liveServerThreads()).isEmpty();
    if (transport == Transport.UNIX) {
      assertThat(tempDir.resolve("abci.sock")).doesNotExist();
    }
    server.close(); // idempotent
  }

  @Test
  void closeGivesUpOnStuckApplicationAfterTimeout() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    app.hook = method -> {
      entered.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    AbciServer server = start(config(Transport.TCP).withShutdownTimeout(Duration.ofMillis(200)),
        app);
    AbciTestClient client = connect(server);
    client.send(checkTx("t"), AbciTestClient.flush());
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    long t0 = System.nanoTime();
    server.close();
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(tookMillis).isLessThan(5_000);
    assertThat(client.serverClosed()).isTrue();
    release.countDown();
    waitFor(() -> liveServerThreads().isEmpty());
  }

  @Test
  void startReplacesStaleSocketFileAndCloseRemovesIt() throws Exception {
    Path socket = tempDir.resolve("abci.sock");
    try (ServerSocketChannel previous = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      previous.bind(UnixDomainSocketAddress.of(socket)); // closed without deleting: stale
    }
    assertThat(socket).exists();
    AbciServer server = start(Transport.UNIX);
    assertThat(server.boundAddress()).isEqualTo("unix://" + socket);
    assertThat(connect(server).call(AbciTestClient.echo("x")).hasEcho()).isTrue();
    server.close();
    assertThat(socket).doesNotExist();
  }

  @Test
  void refusesToReplaceLiveSocketOrRegularFile() throws Exception {
    AbciServer first = start(Transport.UNIX);
    AbciServer second = new AbciServer(config(Transport.UNIX), app);
    assertThatThrownBy(second::start).isInstanceOf(BindException.class)
        .hasMessageContaining("address in use");
    second.close();
    assertThat(connect(first).call(AbciTestClient.echo("x")).hasEcho()).isTrue();
    first.close();

    Path file = tempDir.resolve("data.txt");
    Files.writeString(file, "precious");
    AbciServer third = new AbciServer(AbciServerConfig.forAddress("unix://" + file), app);
    assertThatThrownBy(third::start).isInstanceOf(BindException.class)
        .hasMessageContaining("not a socket");
    assertThat(file).hasContent("precious");
  }

  @Test
  void reportsTheEphemeralPortItBound() throws IOException {
    AbciServer server = start(Transport.TCP);
    assertThat(server.boundAddress()).matches("tcp://127\\.0\\.0\\.1:[1-9][0-9]*");
    assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void failsToStartOnAddressInUse() throws IOException {
    AbciServer first = start(Transport.TCP);
    AbciServer second = new AbciServer(AbciServerConfig.forAddress(first.boundAddress()), app);
    assertThatThrownBy(second::start).isInstanceOf(BindException.class);
    assertThat(second.isRunning()).isFalse();
  }

  private static void waitFor(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached within 10 s");
      }
      Thread.sleep(10);
    }
  }
}
