package dev.teeledger.chain.rpc;

import java.util.Objects;

/**
 * One step of a query proof as CometBFT carries it ({@code tendermint.crypto.ProofOp}): an
 * app-defined {@code type} naming the verifier, the key the step proves, and opaque data.
 * Checked by {@code dev.teeledger.chain.light.ProofVerifier}.
 *
 * @param type verifier name, e.g. {@code "teeledger:smt:v1"}
 * @param key the key this step proves
 * @param data verifier-specific proof bytes
 */
public record ProofOp(String type, byte[] key, byte[] data) {

  public ProofOp {
    Objects.requireNonNull(type, "type");
    key = key == null ? new byte[0] : key.clone();
    data = data == null ? new byte[0] : data.clone();
  }

  @Override
  public byte[] key() {
    return key.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }
}
