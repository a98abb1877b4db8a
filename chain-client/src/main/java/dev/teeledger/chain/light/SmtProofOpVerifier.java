package dev.teeledger.chain.light;

import dev.teeledger.protocol.merkle.ProofException;
import dev.teeledger.protocol.merkle.SmtProof;

/**
 * The proof op the TEE Ledger app attaches to proven queries
 * ({@link SmtProof#OP_TYPE}): a sparse-Merkle inclusion or exclusion proof whose
 * root is the app hash. Decoding and hashing live in {@code protocol}, next to the
 * tree that produces the proofs; this class only adapts them to the light client.
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

  /** A {@link ProofVerifier} that knows the TEE Ledger op type. */
  public static ProofVerifier teeLedgerProofs() {
    return new ProofVerifier(java.util.Map.of(SmtProof.OP_TYPE, new SmtProofOpVerifier()));
  }
}
