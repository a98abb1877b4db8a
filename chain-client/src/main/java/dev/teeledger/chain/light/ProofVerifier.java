package dev.teeledger.chain.light;

import static dev.teeledger.chain.light.LightClientException.Reason.APP_HASH_MISMATCH;
import static dev.teeledger.chain.light.LightClientException.Reason.KEY_MISMATCH;
import static dev.teeledger.chain.light.LightClientException.Reason.PROOF_INVALID;
import static dev.teeledger.chain.light.LightClientException.Reason.PROOF_MISSING;
import static dev.teeledger.chain.light.LightClientException.Reason.UNKNOWN_PROOF_OP;

import dev.teeledger.chain.rpc.ProofOp;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Verifies the proof ops of an ABCI query answer against an app hash, like CometBFT's
 * {@code crypto/merkle ProofRuntime}: ops run leaf first; the first op proves {@code (key,
 * value)} and each later op proves the previous op's root as its value under its own key; the
 * last root must equal the app hash of the verified header at {@code H + 1} for an answer at
 * height {@code H}. Op types are pluggable through {@link ProofOpVerifier}; an op of a type not
 * registered is rejected, never skipped. Used by {@link VerifiedQueryClient}.
 *
 * <p>With a {@link KeyPathRule} (as {@link SmtProofOpVerifier#teeLedgerProofs()} sets), the
 * ops must carry exactly the keys the rule derives from the queried key, in order, as
 * {@code ProofRuntime.VerifyValue} checks its keypath. Without one only the first op's key is
 * checked, which is unsound for a multistore: a node could prove a present key "absent" from
 * another sub-store whose root is genuinely under the app hash (ADR 0010).
 *
 * <p>Immutable and thread-safe once built.
 */
public final class ProofVerifier {

  /** Upper bound on chained ops; real proofs use one or two. */
  public static final int MAX_OPS = 16;

  /**
   * The keys a proof's ops must carry, leaf first, for a queried key: e.g. {@code [key,
   * sub-store name]} for TEE Ledger's state (see {@code StateProof.keyPath} in protocol).
   * Implementations must be pure and thread-safe.
   */
  @FunctionalInterface
  public interface KeyPathRule {
    /** The expected op keys for {@code key}, leaf first; never empty. */
    List<byte[]> keyPath(byte[] key);
  }

  private final Map<String, ProofOpVerifier> verifiers;
  private final KeyPathRule keyPathRule;

  /**
   * A verifier for the given op types (type string to op verifier) that checks only the first
   * op's key: for single-tree states, or where each op binds the next one's key itself.
   */
  public ProofVerifier(Map<String, ProofOpVerifier> verifiers) {
    this(verifiers, null);
  }

  /**
   * A verifier for the given op types that also requires the ops' keys to be exactly
   * {@code keyPathRule.keyPath(key)}, in order, with one op per element.
   */
  public ProofVerifier(Map<String, ProofOpVerifier> verifiers, KeyPathRule keyPathRule) {
    this.verifiers = new TreeMap<>(verifiers);
    this.verifiers.values().forEach(v -> Objects.requireNonNull(v, "op verifier"));
    this.keyPathRule = keyPathRule;
  }

  /** The registered op types. */
  public Set<String> opTypes() {
    return Collections.unmodifiableSet(verifiers.keySet());
  }

  /**
   * Checks that {@code ops} prove {@code key} maps to {@code valueOrNull} (or is absent, when
   * null) in the state whose root is {@code appHash}.
   *
   * @throws LightClientException with PROOF_MISSING (no ops), UNKNOWN_PROOF_OP, KEY_MISMATCH
   *     (the first op proves another key or, with a key-path rule, the ops' number or keys
   *     differ from the key path), PROOF_INVALID (an op rejects its data) or
   *     APP_HASH_MISMATCH (the chain ends at another root)
   */
  public void verify(List<ProofOp> ops, byte[] key, byte[] valueOrNull, byte[] appHash)
      throws LightClientException {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(appHash, "appHash");
    if (ops == null || ops.isEmpty()) {
      throw new LightClientException(PROOF_MISSING, "the answer carries no proof");
    }
    if (ops.size() > MAX_OPS) {
      throw new LightClientException(PROOF_INVALID, "proof has " + ops.size() + " ops");
    }
    List<byte[]> path = keyPathRule == null ? null : keyPathRule.keyPath(key);
    if (path != null && path.size() != ops.size()) {
      throw new LightClientException(
          KEY_MISMATCH,
          "proof has " + ops.size() + " ops, the key path of " + hex(key) + " has "
              + path.size() + " elements");
    }
    byte[] value = valueOrNull;
    for (int i = 0; i < ops.size(); i++) {
      ProofOp op = ops.get(i);
      ProofOpVerifier verifier = verifiers.get(op.type());
      if (verifier == null) {
        throw new LightClientException(
            UNKNOWN_PROOF_OP, "op " + i + " has unregistered type '" + op.type() + "'");
      }
      byte[] opKey = op.key();
      if (i == 0 && !Arrays.equals(opKey, key)) {
        throw new LightClientException(
            KEY_MISMATCH, "proof is for key " + hex(opKey) + ", asked " + hex(key));
      }
      if (path != null && !Arrays.equals(opKey, path.get(i))) {
        throw new LightClientException(
            KEY_MISMATCH,
            "op " + i + " has key " + hex(opKey) + ", the key path needs " + hex(path.get(i)));
      }
      byte[] root;
      try {
        root = verifier.computeRoot(opKey, value, op.data());
      } catch (LightClientException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new LightClientException(
            PROOF_INVALID, "op " + i + " (" + op.type() + ") failed: " + e, e);
      }
      if (root == null || root.length == 0) {
        throw new LightClientException(
            PROOF_INVALID, "op " + i + " (" + op.type() + ") computed no root");
      }
      value = root;
    }
    if (!MessageDigest.isEqual(value, appHash)) {
      throw new LightClientException(
          APP_HASH_MISMATCH, "proof leads to root " + hex(value) + ", app hash is " + hex(appHash));
    }
  }

  private static String hex(byte[] b) {
    return HexFormat.of().withUpperCase().formatHex(b);
  }
}
