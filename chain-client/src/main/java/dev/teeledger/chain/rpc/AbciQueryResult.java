package dev.teeledger.chain.rpc;

import java.util.List;
import java.util.Optional;

/**
 * A node's answer to {@code abci_query}, unverified. The app answers for the state after block
 * {@code height}; that state's root is the {@code app_hash} of header {@code height + 1}.
 *
 * @param code ABCI result code (0 = success)
 * @param log app log
 * @param info app info
 * @param index app-defined index, -1 if unused
 * @param key the key the app answered for
 * @param value the value, or {@code null} when the key is absent
 * @param proofOps proof steps, leaf first; empty when no proof was asked for or given
 * @param height height of the state the answer comes from
 * @param codespace namespace of {@code code}
 */
public record AbciQueryResult(
    int code,
    String log,
    String info,
    long index,
    byte[] key,
    byte[] value,
    List<ProofOp> proofOps,
    long height,
    String codespace) {

  public AbciQueryResult {
    proofOps = List.copyOf(proofOps);
  }

  /** The value, empty when the key is absent. */
  public Optional<byte[]> valueIfPresent() {
    return Optional.ofNullable(value);
  }
}
