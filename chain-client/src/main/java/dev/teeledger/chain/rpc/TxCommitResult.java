package dev.teeledger.chain.rpc;

/**
 * Answer to {@code broadcast_tx_commit}: CheckTx, then (if it passed) the FinalizeBlock result
 * and the block height. CometBFT documents this call as unsuitable for production; the project
 * uses it in tests only.
 *
 * @param checkTx CheckTx outcome
 * @param txResult FinalizeBlock outcome (code 0 and no events if CheckTx failed)
 * @param hash SHA-256 of the transaction
 * @param height block that included it, 0 if CheckTx failed
 */
public record TxCommitResult(AbciTxResult checkTx, AbciTxResult txResult, byte[] hash, long height) {}
