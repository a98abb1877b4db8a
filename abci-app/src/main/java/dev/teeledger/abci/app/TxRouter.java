package dev.teeledger.abci.app;

import dev.teeledger.abci.gov.GovKeeper;
import dev.teeledger.abci.state.WorkingSet;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.sig.VerifiedSignatureCache;
import dev.teeledger.protocol.tx.SignedTx;
import dev.teeledger.protocol.tx.TxCodec;
import dev.teeledger.protocol.tx.TxSignatures;
import dev.teeledger.protocol.tx.v1.TxType;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import tendermint.abci.Types.Event;

/**
 * Runs one raw transaction against a working set: decode the envelope under the
 * current parameters, verify signatures (through the shared cache), dispatch to
 * the handler for its type in a branch, and merge the branch only on success.
 * CheckTx and FinalizeBlock both come through here, so they apply the same rules.
 */
public final class TxRouter {
    private final Map<TxType, TxHandler> handlers;
    private final VerifiedSignatureCache signatureCache;

    public TxRouter(Map<TxType, TxHandler> handlers, VerifiedSignatureCache signatureCache) {
        this.handlers = new EnumMap<>(handlers);
        this.signatureCache = signatureCache;
    }

    /** The outcome of one transaction: a code, a log line, its events and its type (null if undecodable). */
    public record Outcome(ResultCode code, String log, List<Event> events, TxType type) {}

    public Outcome execute(WorkingSet state, byte[] raw, long height, BlockTime time, String chainId) {
        TxType type = null;
        WorkingSet branch = state.branch();
        try {
            SignedTx tx = TxCodec.decode(raw, new GovKeeper(branch).txLimits());
            type = tx.type();
            TxHandler handler = handlers.get(type);
            if (handler == null) {
                throw new Rejection(ResultCode.UNKNOWN_TX_TYPE, type.name());
            }
            TxSignatures.verifyAll(tx, chainId, signatureCache);
            TxContext ctx = new TxContext(height, time, chainId, branch);
            handler.deliver(ctx, tx);
            branch.mergeIntoParent();
            return new Outcome(ResultCode.OK, "", ctx.events(), type);
        } catch (Rejection r) {
            return new Outcome(r.code(), r.getMessage(), List.of(), type);
        }
    }

    /**
     * Verifies the signatures of {@code raw} into the cache, ignoring any failure.
     * Called in parallel ahead of sequential execution; it changes no state, only
     * how fast the later, authoritative check runs.
     */
    public void prewarm(byte[] raw, String chainId, int maxTxBytes) {
        try {
            SignedTx tx = TxCodec.decode(raw, new dev.teeledger.protocol.tx.TxLimits(maxTxBytes, 64));
            TxSignatures.verifyAll(tx, chainId, signatureCache);
        } catch (Rejection ignored) {
            // the sequential pass reports it with its code
        }
    }
}
