package dev.teeledger.chain.light;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teeledger.chain.light.LightClientException.Reason;
import dev.teeledger.chain.rpc.ProofOp;
import dev.teeledger.protocol.merkle.SmtProof;
import dev.teeledger.protocol.merkle.SubStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Two-op multistore proofs (ADR 0010) through {@link SmtProofOpVerifier#teeLedgerProofs()}: a
 * small state is built from scratch with {@link TestSmt} (one tree per sub-store, a top-level
 * tree of all sub-store roots), and every way of tampering with either op must fail.
 */
class SmtStateProofTest {

  private static final byte[] ACCOUNT = b("credit/acct/00aa");
  private static final byte[] INDEX = b("credit/index");
  private static final byte[] GOV_KEYS = b("gov/keys");

  private final ProofVerifier verifier = SmtProofOpVerifier.teeLedgerProofs();
  private final Map<SubStore, TestSmt> stores = new EnumMap<>(SubStore.class);
  private final TestSmt top;

  SmtStateProofTest() {
    Map<byte[], byte[]> state = new TreeMap<>(Arrays::compareUnsigned);
    state.put(ACCOUNT, b("shares-1"));
    state.put(b("credit/acct/00bb"), b("shares-2"));
    state.put(INDEX, b("index"));
    state.put(b("credit/supply"), b("supply"));
    state.put(GOV_KEYS, b("keys"));
    state.put(b("gov/param/x"), b("1"));
    state.put(b("loose"), b("default store"));
    Map<SubStore, Map<byte[], byte[]>> split = new EnumMap<>(SubStore.class);
    for (SubStore s : SubStore.values()) {
      split.put(s, new TreeMap<>(Arrays::compareUnsigned));
    }
    state.forEach((k, v) -> split.get(SubStore.of(k)).put(k, v));
    Map<byte[], byte[]> roots = new TreeMap<>(Arrays::compareUnsigned);
    split.forEach(
        (s, kv) -> {
          TestSmt t = new TestSmt(kv);
          stores.put(s, t);
          roots.put(s.nameBytes(), t.root());
        });
    top = new TestSmt(roots);
  }

  private List<ProofOp> ops(byte[] key) {
    return opsThrough(key, SubStore.of(key));
  }

  /** Ops as an honest node builds them, but through sub-store {@code s}. */
  private List<ProofOp> opsThrough(byte[] key, SubStore s) {
    return List.of(
        new ProofOp(SmtProof.OP_TYPE, key, stores.get(s).prove(key).encode()),
        new ProofOp(SmtProof.OP_TYPE, s.nameBytes(), top.prove(s.nameBytes()).encode()));
  }

  @Test
  void acceptsPresenceProofThroughTheKeysSubStore() throws Exception {
    verifier.verify(ops(ACCOUNT), ACCOUNT, b("shares-1"), top.root());
    verifier.verify(ops(INDEX), INDEX, b("index"), top.root());
    verifier.verify(ops(b("loose")), b("loose"), b("default store"), top.root());
  }

  @Test
  void acceptsAbsenceProofsInPopulatedAndEmptySubStores() throws Exception {
    verifier.verify(ops(b("credit/acct/00cc")), b("credit/acct/00cc"), null, top.root());
    // No firmware key exists: the sub-store's root is all zero, and still listed at the top.
    verifier.verify(ops(b("fw/abc")), b("fw/abc"), null, top.root());
  }

  @Test
  void rejectsWrongValueAndFalseAbsence() {
    expect(
        () -> verifier.verify(ops(ACCOUNT), ACCOUNT, b("shares-9"), top.root()),
        Reason.APP_HASH_MISMATCH);
    expect(() -> verifier.verify(ops(ACCOUNT), ACCOUNT, null, top.root()), Reason.PROOF_INVALID);
  }

  @Test
  void rejectsTamperedKeyOp() {
    List<ProofOp> ops = new ArrayList<>(ops(ACCOUNT));
    byte[] data = ops.get(0).data();
    data[data.length - 1] ^= 1;
    ops.set(0, new ProofOp(SmtProof.OP_TYPE, ACCOUNT, data));
    expect(() -> verifier.verify(ops, ACCOUNT, b("shares-1"), top.root()), Reason.APP_HASH_MISMATCH);
  }

  @Test
  void rejectsTamperedStoreOp() {
    List<ProofOp> ops = new ArrayList<>(ops(ACCOUNT));
    byte[] data = ops.get(1).data();
    data[data.length - 1] ^= 1;
    ops.set(1, new ProofOp(SmtProof.OP_TYPE, ops.get(1).key(), data));
    expect(() -> verifier.verify(ops, ACCOUNT, b("shares-1"), top.root()), Reason.APP_HASH_MISMATCH);
    List<ProofOp> truncated = new ArrayList<>(ops(ACCOUNT));
    truncated.set(
        1,
        new ProofOp(
            SmtProof.OP_TYPE,
            truncated.get(1).key(),
            Arrays.copyOf(truncated.get(1).data(), truncated.get(1).data().length - 1)));
    expect(() -> verifier.verify(truncated, ACCOUNT, b("shares-1"), top.root()), Reason.PROOF_INVALID);
  }

  @Test
  void rejectsAbsenceShownInAnotherSubStore() throws Exception {
    // A present account "proven absent" from the gov sub-store: both ops are valid proofs and
    // the chain ends at the real app hash, so only the key-path check stops it.
    List<ProofOp> forged = opsThrough(ACCOUNT, SubStore.GOV);
    new ProofVerifier(java.util.Map.of(SmtProof.OP_TYPE, new SmtProofOpVerifier()))
        .verify(forged, ACCOUNT, null, top.root());
    expect(() -> verifier.verify(forged, ACCOUNT, null, top.root()), Reason.KEY_MISMATCH);
    // The credit globals and the accounts share a prefix but not a sub-store.
    expect(
        () -> verifier.verify(opsThrough(ACCOUNT, SubStore.CREDIT), ACCOUNT, null, top.root()),
        Reason.KEY_MISMATCH);
  }

  @Test
  void rejectsMissingExtraOrSwappedOps() {
    List<ProofOp> ops = ops(ACCOUNT);
    // The key op alone ends at the sub-store root, and the key path demands two ops anyway.
    expect(
        () -> verifier.verify(ops.subList(0, 1), ACCOUNT, b("shares-1"), top.root()),
        Reason.KEY_MISMATCH);
    List<ProofOp> extra = new ArrayList<>(ops);
    extra.add(ops.get(1));
    expect(() -> verifier.verify(extra, ACCOUNT, b("shares-1"), top.root()), Reason.KEY_MISMATCH);
    expect(
        () -> verifier.verify(List.of(ops.get(1), ops.get(0)), ACCOUNT, b("shares-1"), top.root()),
        Reason.KEY_MISMATCH);
  }

  @Test
  void keyPathNamesTheSubStoreByLongestPrefix() {
    assertThat(SubStore.of(ACCOUNT)).isEqualTo(SubStore.CREDIT_ACCOUNTS);
    assertThat(SubStore.of(INDEX)).isEqualTo(SubStore.CREDIT);
    assertThat(SubStore.of(b("credit/report/1"))).isEqualTo(SubStore.CREDIT_REPORTS);
    assertThat(SubStore.of(b("credit"))).isEqualTo(SubStore.DEFAULT);
    assertThat(SubStore.of(GOV_KEYS)).isEqualTo(SubStore.GOV);
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void expect(ThrowingCallable call, Reason reason) {
    assertThatThrownBy(call)
        .isInstanceOf(LightClientException.class)
        .satisfies(e -> assertThat(((LightClientException) e).reason()).isEqualTo(reason));
  }
}
