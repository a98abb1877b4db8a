package dev.teeledger.chain.light;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Trivial proof ops for tests. {@code test:leaf} commits to SHA-256("leaf" ‖ key ‖ 0x01 ‖ value)
 * for presence and SHA-256("absent" ‖ key) for absence, and demands empty op data; {@code
 * test:wrap} commits to SHA-256("wrap" ‖ key ‖ value ‖ data). Together they exercise chaining.
 */
final class TestProofOps {

  static final String LEAF = "test:leaf";
  static final String WRAP = "test:wrap";

  private TestProofOps() {}

  static byte[] leaf(byte[] key, byte[] valueOrNull, byte[] data) throws LightClientException {
    if (data.length != 0) {
      throw new LightClientException(
          LightClientException.Reason.PROOF_INVALID, "test:leaf takes no data");
    }
    return valueOrNull == null
        ? sha("absent".getBytes(StandardCharsets.US_ASCII), key)
        : sha("leaf".getBytes(StandardCharsets.US_ASCII), key, new byte[] {1}, valueOrNull);
  }

  static byte[] wrap(byte[] key, byte[] value, byte[] data) {
    return sha("wrap".getBytes(StandardCharsets.US_ASCII), key, value, data);
  }

  static ProofVerifier verifier() {
    return new ProofVerifier(
        java.util.Map.of(LEAF, TestProofOps::leaf, WRAP, TestProofOps::wrap));
  }

  static byte[] sha(byte[]... parts) {
    MessageDigest d = MerkleRoot.sha256();
    for (byte[] p : parts) {
      d.update(p);
    }
    return d.digest();
  }
}
