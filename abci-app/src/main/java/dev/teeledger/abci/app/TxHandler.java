package dev.teeledger.abci.app;

import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.tx.SignedTx;

/**
 * Executes one kind of transaction. The router has already decoded the envelope
 * and verified every signature; the handler checks authority, nonce and payload,
 * then writes through the context's store. Throwing {@link Rejection} discards
 * all the handler's writes and events. Must be deterministic: no clock,
 * randomness or unordered iteration.
 */
public interface TxHandler {
    void deliver(TxContext ctx, SignedTx tx) throws Rejection;
}
