package dev.teeledger.chain.light;

import dev.teeledger.protocol.merkle.ProofException;
import dev.teeledger.protocol.merkle.SmtProof;
import dev.teeledger.protocol.merkle.StateProof;

/**
 * The proof op the TEE Ledger app attaches to proven queries
 * ({@link SmtProof#OP_TYPE}): a sparse-Merkle inclusion or exclusion proof. An answer
 * carries two of them (ADR 0010): the key under its sub-store's root, then the
 * sub-store's name → root under the app hash. Decoding and hashing live in
 * {@code protocol}, next to the tree that produces the proofs; this class only adapts
 * them to the light client.
 */
public final class SmtProofOpVerifier implements ProofOpVerifier {

  @Override
  public byte[] computeRoot(byte[] key, byte[] valueOrNull, byte[] opData) throws LightClientException {
    try {
      return SmtProof.decode(opData).computeRoot(key, valueOrNull);
    } catch (ProofException e) {
      throw new LightClientException(LightClientException.Reason.PROOF_INVALID, "sparse Merkle proof: " + e.getMessage(), e);
    }
  }

  /**
   * A {@link ProofVerifier} for TEE Ledger answers: the op type, and the key path {@code [key,
   * name of the key's sub-store]} ({@link StateProof#keyPath}), so that a proof cannot pass
   * through a sub-store the key does not belong to.
   */
  public static ProofVerifier teeLedgerProofs() {
    return new ProofVerifier(
        java.util.Map.of(SmtProof.OP_TYPE, new SmtProofOpVerifier()), StateProof::keyPath);
  }
}
