package dev.teeledger.chain.light;

/**
 * Verifier for one kind of proof op, registered in {@link ProofVerifier} under the op's
 * {@code type} string (e.g. the project's sparse-Merkle op {@code teeledger:smt:v1}). Given the
 * key and value an op claims to prove, it recomputes the root the op's data leads to; the
 * {@link ProofVerifier} compares the last root with the verified app hash. Implementations must
 * be pure and thread-safe, and must reject malformed data with a {@link LightClientException}
 * (reason {@link LightClientException.Reason#PROOF_INVALID}) rather than a runtime exception.
 */
@FunctionalInterface
public interface ProofOpVerifier {

  /**
   * Computes the root committed to by {@code opData} for {@code key} and value.
   *
   * @param key the key this op proves (the op's own key field)
   * @param valueOrNull the value to prove present, or {@code null} to prove the key absent
   *     (only for the first op; later ops always get the previous op's root)
   * @param opData the op's data
   * @return the root, never {@code null}
   * @throws LightClientException if the data is malformed or proves something else (e.g. an
   *     absence proof whose neighbour holds the key)
   */
  byte[] computeRoot(byte[] key, byte[] valueOrNull, byte[] opData) throws LightClientException;
}
