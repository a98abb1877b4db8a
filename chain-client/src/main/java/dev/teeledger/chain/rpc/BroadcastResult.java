package dev.teeledger.chain.rpc;

/**
 * Answer to {@code broadcast_tx_sync} (the CheckTx outcome) or {@code broadcast_tx_async} (code
 * 0 and no log; CheckTx has not run yet). A zero {@code code} means the transaction entered the
 * mempool, not that it was committed; track it with {@link CometRpcClient#tx(byte[])}.
 *
 * @param code ABCI result code from CheckTx (0 = accepted)
 * @param data CheckTx data, possibly empty
 * @param log CheckTx log
 * @param codespace namespace of {@code code}, empty for the app's own codes
 * @param hash SHA-256 of the transaction bytes, the key for {@code /tx}
 */
public record BroadcastResult(int code, byte[] data, String log, String codespace, byte[] hash) {

  /** Whether CheckTx accepted the transaction. */
  public boolean accepted() {
    return code == 0;
  }
}
