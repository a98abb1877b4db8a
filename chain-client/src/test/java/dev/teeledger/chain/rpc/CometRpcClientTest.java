package dev.teeledger.chain.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.teeledger.chain.testing.FakeNode;
import dev.teeledger.chain.testing.Fixtures;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tendermint.types.ValidatorOuterClass;

/** The client against an in-process HTTP server replaying real answers and failures. */
class CometRpcClientTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private FakeNode node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  private CometRpcClient clientFor(FakeNode.Handler handler) throws Exception {
    node = new FakeNode(handler);
    return new CometRpcClient(CometRpcConfig.of(node.endpoint()));
  }

  // ---- requests and successful answers ---------------------------------------------------

  @Test
  void sendsJsonRpcPostAndParsesStatus() throws Exception {
    CometRpcClient client = clientFor(r -> FakeNode.Reply.ok(FakeNode.fixture(r, "single/status.json")));
    NodeStatus s = client.status();
    assertThat(s.chainId()).isEqualTo(Fixtures.SINGLE_CHAIN_ID);
    JsonNode req = node.requests().get(0);
    assertThat(req.get("jsonrpc").asText()).isEqualTo("2.0");
    assertThat(req.get("method").asText()).isEqualTo("status");
  }

  @Test
  void encodesParamsTheWayCometBftDecodesThem() throws Exception {
    CometRpcClient client =
        clientFor(
            r ->
                switch (r.get("method").asText()) {
                  case "abci_query" -> FakeNode.Reply.ok(FakeNode.fixture(r, "single/abci_query.json"));
                  case "broadcast_tx_sync" ->
                      FakeNode.Reply.ok(FakeNode.fixture(r, "single/broadcast_tx_sync.json"));
                  case "tx" -> FakeNode.Reply.ok(FakeNode.fixture(r, "single/tx.json"));
                  default -> FakeNode.Reply.ok(FakeNode.fixture(r, "single/commit_6.json"));
                });
    client.abciQuery("/store", "name".getBytes(StandardCharsets.UTF_8), 12, true);
    client.broadcastTxSync("k=v".getBytes(StandardCharsets.UTF_8));
    byte[] hash = HexFormat.of().parseHex("57D835FBBA0DBF922D8A2EDA56922C9B24E7760927F245A7684A736C4769DB8A");
    assertThat(client.tx(hash).height()).isEqualTo(6);
    assertThat(client.commit(6).canonical()).isTrue();
    client.commit(0);

    JsonNode query = node.requests().get(0).get("params");
    assertThat(query.get("data").asText()).isEqualTo("6e616d65"); // HexBytes: hex
    assertThat(query.get("height").asText()).isEqualTo("12"); // int64: string
    assertThat(query.get("height").isTextual()).isTrue();
    assertThat(query.get("prove").asBoolean()).isTrue();
    JsonNode tx = node.requests().get(1).get("params");
    assertThat(tx.get("tx").asText()).isEqualTo(Base64.getEncoder().encodeToString("k=v".getBytes()));
    JsonNode txq = node.requests().get(2).get("params");
    assertThat(Base64.getDecoder().decode(txq.get("hash").asText())).isEqualTo(hash);
    assertThat(node.requests().get(3).get("params").get("height").asText()).isEqualTo("6");
    assertThat(node.requests().get(4).get("params").has("height")).isFalse();
  }

  @Test
  void collectsAllValidatorPagesAtOneHeight() throws Exception {
    JsonNode full = Fixtures.result("four/validators_20.json");
    CometRpcClient client =
        clientFor(
            r -> {
              // Serve one validator per page regardless of per_page.
              int page = Integer.parseInt(r.get("params").get("page").asText());
              ObjectNode result = full.deepCopy();
              ArrayNode only = MAPPER.createArrayNode().add(full.get("validators").get(page - 1));
              result.set("validators", only);
              result.put("count", "1");
              return FakeNode.Reply.ok(FakeNode.result(r, result));
            });
    ValidatorOuterClass.ValidatorSet set = client.validators(0);
    assertThat(set.getValidatorsCount()).isEqualTo(4);
    assertThat(set.getTotalVotingPower()).isEqualTo(105);
    assertThat(set.getValidators(0).getVotingPower()).isEqualTo(40);
    // first page asked for the latest height, later pages pin the height the node reported
    assertThat(node.requests().get(0).get("params").has("height")).isFalse();
    assertThat(node.requests().get(1).get("params").get("height").asText()).isEqualTo("20");
    assertThat(node.requests().get(3).get("params").get("page").asText()).isEqualTo("4");
  }

  @Test
  void rejectsValidatorPagesThatNeverComplete() throws Exception {
    JsonNode full = Fixtures.result("four/validators_20.json");
    CometRpcClient client =
        clientFor(
            r -> {
              ObjectNode result = full.deepCopy();
              result.set("validators", MAPPER.createArrayNode());
              return FakeNode.Reply.ok(FakeNode.result(r, result));
            });
    expectKind(() -> client.validators(20), ChainRpcException.Kind.MALFORMED_RESPONSE);
  }

  // ---- failures ---------------------------------------------------------------------------

  @Test
  void surfacesRpcErrorObjectWithCodeAndData() throws Exception {
    CometRpcClient client =
        clientFor(
            r -> {
              ObjectNode err = (ObjectNode) Fixtures.json("single/error_height_too_high.json").deepCopy();
              err.set("id", r.get("id"));
              return new FakeNode.Reply(500, err.toString(), 0);
            });
    assertThatThrownBy(() -> client.commit(99999))
        .isInstanceOf(ChainRpcException.class)
        .satisfies(
            t -> {
              ChainRpcException e = (ChainRpcException) t;
              assertThat(e.kind()).isEqualTo(ChainRpcException.Kind.RPC_ERROR);
              assertThat(e.rpcCode()).contains(-32603);
              assertThat(e.rpcMessage()).contains("Internal error");
              assertThat(e.rpcData().orElseThrow()).contains("must be less than or equal");
              assertThat(e.method()).contains("commit");
              assertThat(e.httpStatus()).isEqualTo(500);
            });
  }

  @Test
  void surfacesInvalidParamsErrorFromRealNode() throws Exception {
    CometRpcClient client =
        clientFor(
            r -> {
              ObjectNode err = (ObjectNode) Fixtures.json("four/error_invalid_params.json").deepCopy();
              err.set("id", r.get("id"));
              return FakeNode.Reply.ok(err.toString());
            });
    assertThatThrownBy(() -> client.validators(20))
        .isInstanceOf(ChainRpcException.class)
        .satisfies(t -> assertThat(((ChainRpcException) t).rpcCode()).contains(-32602));
  }

  @Test
  void reportsHttp500WithoutJsonBody() throws Exception {
    CometRpcClient client = clientFor(r -> new FakeNode.Reply(500, "upstream exploded", 0));
    assertThatThrownBy(client::status)
        .isInstanceOf(ChainRpcException.class)
        .hasMessageContaining("HTTP 500")
        .hasMessageContaining("upstream exploded")
        .satisfies(
            t -> {
              assertThat(((ChainRpcException) t).kind()).isEqualTo(ChainRpcException.Kind.HTTP_STATUS);
              assertThat(((ChainRpcException) t).httpStatus()).isEqualTo(500);
            });
  }

  @Test
  void reportsBadJsonAsMalformed() throws Exception {
    CometRpcClient client = clientFor(r -> FakeNode.Reply.ok("{\"jsonrpc\":\"2.0\",\"result\":{"));
    expectKind(client::status, ChainRpcException.Kind.MALFORMED_RESPONSE);
  }

  @Test
  void reportsMissingFieldsAsMalformed() throws Exception {
    CometRpcClient client =
        clientFor(r -> FakeNode.Reply.ok(FakeNode.result(r, MAPPER.createObjectNode())));
    assertThatThrownBy(client::status)
        .isInstanceOf(ChainRpcException.class)
        .hasMessageContaining("status")
        .hasMessageContaining("node_info");
    expectKind(() -> client.commit(3), ChainRpcException.Kind.MALFORMED_RESPONSE);
  }

  @Test
  void rejectsAnswerToAnotherRequest() throws Exception {
    CometRpcClient client =
        clientFor(
            r -> {
              ObjectNode answer = (ObjectNode) Fixtures.json("single/status.json").deepCopy();
              answer.put("id", 424242);
              return FakeNode.Reply.ok(answer.toString());
            });
    assertThatThrownBy(client::status)
        .isInstanceOf(ChainRpcException.class)
        .hasMessageContaining("does not match request id");
  }

  @Test
  void timesOutOnSlowNode() throws Exception {
    node = new FakeNode(r -> new FakeNode.Reply(200, FakeNode.fixture(r, "single/status.json"), 3_000));
    CometRpcClient client =
        new CometRpcClient(
            CometRpcConfig.of(node.endpoint()).withRequestTimeout(Duration.ofMillis(300)));
    long start = System.nanoTime();
    expectKind(client::status, ChainRpcException.Kind.TIMEOUT);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void reportsConnectionRefused() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    CometRpcClient client =
        new CometRpcClient(CometRpcConfig.of(URI.create("http://127.0.0.1:" + port)));
    assertThatThrownBy(client::status)
        .isInstanceOf(ChainRpcException.class)
        .hasMessageContaining("127.0.0.1:" + port)
        .satisfies(
            t ->
                assertThat(((ChainRpcException) t).kind())
                    .isEqualTo(ChainRpcException.Kind.CONNECTION_FAILED));
  }

  @Test
  void rejectsOversizedAnswer() throws Exception {
    node = new FakeNode(r -> FakeNode.Reply.ok(FakeNode.fixture(r, "single/block_6.json")));
    CometRpcClient client =
        new CometRpcClient(
            new CometRpcConfig(node.endpoint(), Duration.ofSeconds(1), Duration.ofSeconds(2), 512));
    assertThatThrownBy(() -> client.block(6))
        .isInstanceOf(ChainRpcException.class)
        .hasMessageContaining("exceeds 512 bytes");
  }

  @Test
  void rejectsBadArgumentsBeforeSending() throws Exception {
    CometRpcClient client = clientFor(r -> FakeNode.Reply.ok("{}"));
    expectKind(() -> client.broadcastTxSync(new byte[0]), ChainRpcException.Kind.INVALID_ARGUMENT);
    expectKind(() -> client.tx(new byte[5]), ChainRpcException.Kind.INVALID_ARGUMENT);
    expectKind(
        () -> client.abciQuery("/x", new byte[0], -1, false), ChainRpcException.Kind.INVALID_ARGUMENT);
    assertThat(node.requests()).isEmpty();
  }

  @Test
  void rejectsNonHttpEndpoint() {
    assertThatThrownBy(() -> CometRpcConfig.of(URI.create("tcp://127.0.0.1:26657")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static void expectKind(ThrowingCallable call, ChainRpcException.Kind kind) {
    assertThatThrownBy(call)
        .isInstanceOf(ChainRpcException.class)
        .satisfies(e -> assertThat(((ChainRpcException) e).kind()).isEqualTo(kind));
  }
}
