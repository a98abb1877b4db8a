package dev.teeledger.chain.light;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import dev.teeledger.chain.light.LightClientException.Reason;
import dev.teeledger.chain.rpc.CometRpcClient;
import dev.teeledger.chain.rpc.CometRpcConfig;
import dev.teeledger.chain.rpc.ProofOp;
import dev.teeledger.chain.testing.FakeNode;
import dev.teeledger.chain.testing.TestChain;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tendermint.types.Types;

/** End to end against a fake node serving synthetic but correctly signed headers. */
class VerifiedQueryClientTest {

  private static final String CHAIN = "teeledger-test";
  private static final long H = 41;
  private static final Instant HEADER_TIME = Instant.parse("2026-11-28T12:00:00.123456789Z");
  private static final byte[] KEY = "balance/hsm-7".getBytes(StandardCharsets.UTF_8);
  private static final byte[] VALUE = "1000".getBytes(StandardCharsets.UTF_8);
  private static final byte[] STORE = "ledger".getBytes(StandardCharsets.UTF_8);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final TestChain chain = new TestChain(CHAIN, "vqc", 10, 20, 30, 40);
  private final TrustedValidators trusted = TrustedValidators.of(chain.validatorSet());

  // What the fake node serves; tests tamper with these.
  private volatile byte[] servedKey = KEY;
  private volatile byte[] servedValue = VALUE;
  private volatile List<ProofOp> servedOps;
  private volatile Types.SignedHeader servedHeader;
  private volatile long latestHeight = H + 1;
  private volatile int queryCode = 0;

  private FakeNode node;
  private VerifiedQueryClient client;

  @BeforeEach
  void start() throws Exception {
    servedOps = ops(new byte[] {9});
    servedHeader = headerWithAppHash(root(VALUE, new byte[] {9}));
    node = new FakeNode(this::answer);
    client = clientAt(HEADER_TIME.plusSeconds(5), Duration.ofSeconds(2));
  }

  @AfterEach
  void stop() {
    node.close();
  }

  @Test
  void returnsValueProvenAgainstSignedAppHash() throws Exception {
    VerifiedQueryClient.VerifiedValue v = client.query("/store", KEY);
    assertThat(v.value()).isEqualTo(VALUE);
    assertThat(v.height()).isEqualTo(H);
    assertThat(v.header().height()).isEqualTo(H + 1);
    JsonNode q = node.requests().get(0);
    assertThat(q.get("method").asText()).isEqualTo("abci_query");
    assertThat(q.get("params").get("prove").asBoolean()).isTrue();
  }

  @Test
  void queriesAPinnedHeightAndVerifiesAgainstTheNextHeader() throws Exception {
    VerifiedQueryClient.VerifiedValue v = client.query("/store", KEY, H);
    assertThat(v.value()).isEqualTo(VALUE);
    assertThat(v.height()).isEqualTo(H);
    assertThat(v.header().height()).isEqualTo(H + 1);
    assertThat(node.requests().get(0).get("params").get("height").asText()).isEqualTo(Long.toString(H));
  }

  @Test
  void rejectsAnAnswerForAnotherHeightThanAsked() {
    expect(() -> client.query("/store", KEY, H - 1), Reason.HEIGHT_MISMATCH);
    assertThatThrownBy(() -> client.query("/store", KEY, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void returnsVerifiedAbsence() throws Exception {
    servedValue = null;
    servedHeader = headerWithAppHash(root(null, new byte[] {9}));
    VerifiedQueryClient.VerifiedValue v = client.query("/store", KEY);
    assertThat(v.valueIfPresent()).isEmpty();
  }

  @Test
  void rejectsTamperedValue() {
    servedValue = "999999".getBytes(StandardCharsets.UTF_8);
    expect(() -> client.query("/store", KEY), Reason.APP_HASH_MISMATCH);
  }

  @Test
  void rejectsAbsenceClaimForExistingKey() {
    servedValue = null;
    expect(() -> client.query("/store", KEY), Reason.APP_HASH_MISMATCH);
  }

  @Test
  void rejectsTamperedProof() {
    servedOps = ops(new byte[] {8});
    expect(() -> client.query("/store", KEY), Reason.APP_HASH_MISMATCH);
  }

  @Test
  void rejectsAnswerWithoutProof() {
    servedOps = List.of();
    expect(() -> client.query("/store", KEY), Reason.PROOF_MISSING);
  }

  @Test
  void rejectsAnswerForAnotherKey() {
    servedKey = "balance/hsm-8".getBytes(StandardCharsets.UTF_8);
    expect(() -> client.query("/store", KEY), Reason.KEY_MISMATCH);
  }

  @Test
  void rejectsHeaderWhoseAppHashWasReplaced() throws Exception {
    byte[] forgedRoot = root("999999".getBytes(StandardCharsets.UTF_8), new byte[] {9});
    servedValue = "999999".getBytes(StandardCharsets.UTF_8);
    servedHeader =
        servedHeader.toBuilder()
            .setHeader(servedHeader.getHeader().toBuilder().setAppHash(ByteString.copyFrom(forgedRoot)))
            .build();
    expect(() -> client.query("/store", KEY), Reason.HEADER_HASH_MISMATCH);
  }

  @Test
  void rejectsHeaderSignedByOtherValidators() throws Exception {
    TestChain impostor = new TestChain(CHAIN, "impostor", 10, 20, 30, 40);
    servedHeader =
        impostor.signedHeader(H + 1, root(VALUE, new byte[] {9}), HEADER_TIME, Set.of(0, 1, 2, 3));
    expect(() -> client.query("/store", KEY), Reason.VALIDATORS_HASH_MISMATCH);
  }

  @Test
  void rejectsHeaderWithoutTwoThirdsOfPower() throws Exception {
    // 40 + 20 of 100 signed
    servedHeader = chain.signedHeader(H + 1, root(VALUE, new byte[] {9}), HEADER_TIME, Set.of(0, 2));
    expect(() -> client.query("/store", KEY), Reason.INSUFFICIENT_VOTING_POWER);
  }

  @Test
  void rejectsHeaderForAnotherHeight() throws Exception {
    servedHeader = chain.signedHeader(H + 2, root(VALUE, new byte[] {9}), HEADER_TIME, Set.of(0, 1, 2, 3));
    expect(() -> client.query("/store", KEY), Reason.HEIGHT_MISMATCH);
  }

  @Test
  void rejectsStaleHeader() {
    VerifiedQueryClient later = clientAt(HEADER_TIME.plus(Duration.ofHours(1)), Duration.ofSeconds(1));
    expect(() -> later.query("/store", KEY), Reason.HEADER_TOO_OLD);
  }

  @Test
  void reportsAppRefusal() {
    queryCode = 7;
    expect(() -> client.query("/store", KEY), Reason.QUERY_FAILED);
  }

  @Test
  void waitsBrieflyForNextBlock() throws Exception {
    latestHeight = H;
    Thread producer =
        new Thread(
            () -> {
              try {
                Thread.sleep(300);
              } catch (InterruptedException e) {
                return;
              }
              latestHeight = H + 1;
            });
    producer.start();
    assertThat(client.query("/store", KEY).value()).isEqualTo(VALUE);
    producer.join();
  }

  @Test
  void givesUpWhenNextBlockNeverComes() {
    latestHeight = H;
    VerifiedQueryClient impatient = clientAt(HEADER_TIME.plusSeconds(5), Duration.ofMillis(300));
    long start = System.nanoTime();
    expect(() -> impatient.query("/store", KEY), Reason.NEXT_HEADER_UNAVAILABLE);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
  }

  // ---- fake node --------------------------------------------------------------------------

  private FakeNode.Reply answer(JsonNode request) {
    String method = request.get("method").asText();
    ObjectNode result = MAPPER.createObjectNode();
    switch (method) {
      case "status" -> {
        ObjectNode info = result.putObject("node_info");
        info.put("network", CHAIN);
        info.put("id", "fake");
        ObjectNode sync = result.putObject("sync_info");
        sync.put("latest_block_height", Long.toString(latestHeight));
        sync.put("latest_block_hash", "");
        sync.put("latest_app_hash", "");
        sync.put("latest_block_time", HEADER_TIME.toString());
        sync.put("catching_up", false);
      }
      case "abci_query" -> {
        ObjectNode r = result.putObject("response");
        r.put("code", queryCode);
        r.put("log", queryCode == 0 ? "" : "not allowed");
        r.put("key", Base64.getEncoder().encodeToString(servedKey));
        if (servedValue == null) {
          r.putNull("value");
        } else {
          r.put("value", Base64.getEncoder().encodeToString(servedValue));
        }
        ObjectNode proofOps = r.putObject("proofOps");
        ArrayNode arr = proofOps.putArray("ops");
        for (ProofOp op : servedOps) {
          ObjectNode o = arr.addObject();
          o.put("type", op.type());
          o.put("key", Base64.getEncoder().encodeToString(op.key()));
          o.put("data", Base64.getEncoder().encodeToString(op.data()));
        }
        r.put("height", Long.toString(H));
      }
      case "commit" -> {
        return FakeNode.Reply.ok(FakeNode.result(request, TestChain.commitResult(servedHeader)));
      }
      default -> {
        return new FakeNode.Reply(500, "unexpected " + method, 0);
      }
    }
    return FakeNode.Reply.ok(FakeNode.result(request, result));
  }

  private VerifiedQueryClient clientAt(Instant now, Duration wait) {
    return new VerifiedQueryClient(
        new CometRpcClient(CometRpcConfig.of(node.endpoint())),
        new HeaderVerifier(CHAIN),
        TestProofOps.verifier(),
        trusted,
        new VerifiedQueryClient.Options(wait, Duration.ofMillis(50), Duration.ofMinutes(5)),
        Clock.fixed(now, ZoneOffset.UTC));
  }

  private Types.SignedHeader headerWithAppHash(byte[] appHash) {
    return chain.signedHeader(H + 1, appHash, HEADER_TIME, Set.of(0, 1, 2, 3));
  }

  private static List<ProofOp> ops(byte[] salt) {
    return List.of(new ProofOp(TestProofOps.LEAF, KEY, null), new ProofOp(TestProofOps.WRAP, STORE, salt));
  }

  private static byte[] root(byte[] value, byte[] salt) throws LightClientException {
    return TestProofOps.wrap(STORE, TestProofOps.leaf(KEY, value, new byte[0]), salt);
  }

  private static void expect(ThrowingCallable call, Reason reason) {
    assertThatThrownBy(call)
        .isInstanceOf(LightClientException.class)
        .satisfies(e -> assertThat(((LightClientException) e).reason()).isEqualTo(reason));
  }
}
