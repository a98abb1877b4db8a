package dev.teeledger.chain.light;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teeledger.chain.light.LightClientException.Reason;
import dev.teeledger.chain.rpc.ProofOp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class ProofVerifierTest {

  private static final byte[] KEY = "hsm/42".getBytes(StandardCharsets.UTF_8);
  private static final byte[] VALUE = "active".getBytes(StandardCharsets.UTF_8);
  private static final byte[] STORE = "ledger".getBytes(StandardCharsets.UTF_8);
  private static final byte[] SALT = {7, 7};

  private final ProofVerifier verifier = TestProofOps.verifier();

  private static List<ProofOp> twoOps() {
    return List.of(
        new ProofOp(TestProofOps.LEAF, KEY, new byte[0]),
        new ProofOp(TestProofOps.WRAP, STORE, SALT));
  }

  private static byte[] rootOf(byte[] value) throws LightClientException {
    return TestProofOps.wrap(STORE, TestProofOps.leaf(KEY, value, new byte[0]), SALT);
  }

  @Test
  void acceptsChainedOpsEndingAtAppHash() throws Exception {
    assertThatCode(() -> verifier.verify(twoOps(), KEY, VALUE, rootOf(VALUE)))
        .doesNotThrowAnyException();
  }

  @Test
  void acceptsSingleOpProof() throws Exception {
    byte[] root = TestProofOps.leaf(KEY, VALUE, new byte[0]);
    verifier.verify(List.of(new ProofOp(TestProofOps.LEAF, KEY, null)), KEY, VALUE, root);
  }

  @Test
  void acceptsAbsenceProof() throws Exception {
    verifier.verify(twoOps(), KEY, null, rootOf(null));
  }

  @Test
  void rejectsTamperedValue() throws Exception {
    byte[] root = rootOf(VALUE);
    expect(
        () -> verifier.verify(twoOps(), KEY, "revoked".getBytes(StandardCharsets.UTF_8), root),
        Reason.APP_HASH_MISMATCH);
  }

  @Test
  void rejectsAbsenceClaimForPresentKey() throws Exception {
    byte[] root = rootOf(VALUE);
    expect(() -> verifier.verify(twoOps(), KEY, null, root), Reason.APP_HASH_MISMATCH);
  }

  @Test
  void rejectsTamperedOpData() throws Exception {
    byte[] root = rootOf(VALUE);
    List<ProofOp> ops =
        List.of(
            new ProofOp(TestProofOps.LEAF, KEY, new byte[0]),
            new ProofOp(TestProofOps.WRAP, STORE, new byte[] {7, 8}));
    expect(() -> verifier.verify(ops, KEY, VALUE, root), Reason.APP_HASH_MISMATCH);
  }

  @Test
  void rejectsReorderedOps() throws Exception {
    byte[] root = rootOf(VALUE);
    List<ProofOp> ops = new ArrayList<>(twoOps());
    Collections.reverse(ops);
    expect(() -> verifier.verify(ops, KEY, VALUE, root), Reason.KEY_MISMATCH);
  }

  @Test
  void rejectsProofForAnotherKey() throws Exception {
    byte[] other = "hsm/43".getBytes(StandardCharsets.UTF_8);
    byte[] root = rootOf(VALUE);
    expect(() -> verifier.verify(twoOps(), other, VALUE, root), Reason.KEY_MISMATCH);
  }

  @Test
  void rejectsUnknownOpType() throws Exception {
    byte[] root = rootOf(VALUE);
    List<ProofOp> ops =
        List.of(new ProofOp("ics23:iavl", KEY, new byte[0]), new ProofOp(TestProofOps.WRAP, STORE, SALT));
    expect(() -> verifier.verify(ops, KEY, VALUE, root), Reason.UNKNOWN_PROOF_OP);
  }

  @Test
  void rejectsMissingProof() {
    expect(() -> verifier.verify(List.of(), KEY, VALUE, new byte[32]), Reason.PROOF_MISSING);
    expect(() -> verifier.verify(null, KEY, VALUE, new byte[32]), Reason.PROOF_MISSING);
  }

  @Test
  void rejectsOpDataTheOpRefuses() {
    List<ProofOp> ops = List.of(new ProofOp(TestProofOps.LEAF, KEY, new byte[] {1}));
    expect(() -> verifier.verify(ops, KEY, VALUE, new byte[32]), Reason.PROOF_INVALID);
  }

  @Test
  void turnsOpRuntimeFailureIntoProofInvalid() {
    ProofVerifier crashing =
        new ProofVerifier(
            Map.of(
                "crash",
                (k, v, d) -> {
                  throw new ArrayIndexOutOfBoundsException(3);
                }));
    expect(
        () -> crashing.verify(List.of(new ProofOp("crash", KEY, null)), KEY, VALUE, new byte[32]),
        Reason.PROOF_INVALID);
  }

  @Test
  void rejectsOpReturningNoRoot() {
    ProofVerifier empty = new ProofVerifier(Map.of("empty", (k, v, d) -> new byte[0]));
    expect(
        () -> empty.verify(List.of(new ProofOp("empty", KEY, null)), KEY, VALUE, new byte[0]),
        Reason.PROOF_INVALID);
  }

  @Test
  void rejectsOverlongOpChains() {
    List<ProofOp> ops = new ArrayList<>();
    ops.add(new ProofOp(TestProofOps.LEAF, KEY, null));
    for (int i = 0; i < ProofVerifier.MAX_OPS; i++) {
      ops.add(new ProofOp(TestProofOps.WRAP, STORE, SALT));
    }
    expect(() -> verifier.verify(ops, KEY, VALUE, new byte[32]), Reason.PROOF_INVALID);
  }

  @Test
  void keyPathRuleChecksEveryOpKeyAndTheNumberOfOps() throws Exception {
    ProofVerifier strict =
        new ProofVerifier(
            Map.of(TestProofOps.LEAF, TestProofOps::leaf, TestProofOps.WRAP, TestProofOps::wrap),
            key -> List.of(key, STORE));
    byte[] root = rootOf(VALUE);
    strict.verify(twoOps(), KEY, VALUE, root);
    List<ProofOp> otherStore =
        List.of(
            new ProofOp(TestProofOps.LEAF, KEY, new byte[0]),
            new ProofOp(TestProofOps.WRAP, "other".getBytes(StandardCharsets.UTF_8), SALT));
    byte[] otherRoot =
        TestProofOps.wrap(
            "other".getBytes(StandardCharsets.UTF_8),
            TestProofOps.leaf(KEY, VALUE, new byte[0]),
            SALT);
    // The generic verifier accepts a chain through any store; the key path does not.
    verifier.verify(otherStore, KEY, VALUE, otherRoot);
    expect(() -> strict.verify(otherStore, KEY, VALUE, otherRoot), Reason.KEY_MISMATCH);
    expect(
        () -> strict.verify(twoOps().subList(0, 1), KEY, VALUE, TestProofOps.leaf(KEY, VALUE, new byte[0])),
        Reason.KEY_MISMATCH);
  }

  @Test
  void listsRegisteredTypes() {
    assertThat(verifier.opTypes()).containsExactly(TestProofOps.LEAF, TestProofOps.WRAP);
  }

  private static void expect(ThrowingCallable call, Reason reason) {
    assertThatThrownBy(call)
        .isInstanceOf(LightClientException.class)
        .satisfies(e -> assertThat(((LightClientException) e).reason()).isEqualTo(reason));
  }
}
