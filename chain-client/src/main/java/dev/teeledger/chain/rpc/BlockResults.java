package dev.teeledger.chain.rpc;

import java.util.List;

/**
 * Answer to {@code /block_results}: what FinalizeBlock returned for one block.
 *
 * @param height the block height
 * @param txResults one result per transaction, in block order
 * @param finalizeBlockEvents block-level events
 * @param validatorUpdates validator changes the app requested (effective at {@code height + 2})
 * @param appHash app hash FinalizeBlock returned (it appears in header {@code height + 1})
 */
public record BlockResults(
    long height,
    List<AbciTxResult> txResults,
    List<AbciEvent> finalizeBlockEvents,
    List<ValidatorUpdate> validatorUpdates,
    byte[] appHash) {

  public BlockResults {
    txResults = List.copyOf(txResults);
    finalizeBlockEvents = List.copyOf(finalizeBlockEvents);
    validatorUpdates = List.copyOf(validatorUpdates);
  }

  /**
   * A validator power change requested by the app.
   *
   * @param keyType {@code "ed25519"} or {@code "secp256k1"}
   * @param pubKey raw public key bytes
   * @param power new voting power, 0 removes the validator
   */
  public record ValidatorUpdate(String keyType, byte[] pubKey, long power) {}
}
