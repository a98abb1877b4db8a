package dev.teeledger.chain.rpc;

/**
 * A committed transaction found through the node's tx index ({@code /tx}). Returned by
 * {@link CometRpcClient#tx(byte[])}.
 *
 * @param hash SHA-256 of the transaction
 * @param height block height that included it
 * @param index position within the block
 * @param result FinalizeBlock outcome
 * @param tx the raw transaction bytes
 */
public record IndexedTx(byte[] hash, long height, int index, AbciTxResult result, byte[] tx) {}
