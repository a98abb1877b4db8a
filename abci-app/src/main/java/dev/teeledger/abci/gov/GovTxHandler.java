package dev.teeledger.abci.gov;

import com.google.protobuf.ByteString;
import dev.teeledger.abci.app.TxContext;
import dev.teeledger.abci.app.TxHandler;
import dev.teeledger.protocol.gov.Param;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.sig.SignatureVerifier;
import dev.teeledger.protocol.state.v1.GovernanceKeySet;
import dev.teeledger.protocol.tx.Canonical;
import dev.teeledger.protocol.tx.SignedTx;
import dev.teeledger.protocol.tx.v1.KeyRotation;
import dev.teeledger.protocol.tx.v1.KeyType;
import dev.teeledger.protocol.tx.v1.ParamChange;
import dev.teeledger.protocol.tx.v1.ParamValue;
import dev.teeledger.protocol.tx.v1.PublicKey;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Governance transactions: parameter changes and key rotation. Each needs every
 * signer to be a current governance key, at least {@code threshold} distinct
 * signers, and the governance nonce; signatures themselves were verified by the
 * router. Checks run in a fixed order (authority, nonce, payload) so that a
 * transaction with several faults always gets the same code.
 */
public final class GovTxHandler implements TxHandler {

    @Override
    public void deliver(TxContext ctx, SignedTx tx) throws Rejection {
        authorize(ctx, tx);
        GovKeeper keeper = new GovKeeper(ctx.store());
        switch (tx.type()) {
            case TX_TYPE_GOV_PARAM_CHANGE -> changeParams(ctx, keeper, tx.payload());
            case TX_TYPE_GOV_KEY_ROTATION -> rotateKeys(ctx, keeper, tx.payload());
            default -> throw new Rejection(ResultCode.UNKNOWN_TX_TYPE, tx.type().name());
        }
    }

    /**
     * The authorisation every governance-signed transaction passes, in every module: all
     * signers are governance keys, at least {@code threshold} of them, and the nonce is the
     * governance nonce, which this advances. Advancing before the payload is checked is safe
     * because a rejected transaction's branch, nonce included, is discarded.
     */
    public static void authorize(TxContext ctx, SignedTx tx) throws Rejection {
        GovKeeper keeper = new GovKeeper(ctx.store());
        requireAuthority(keeper.keySet(), tx);
        long expected = keeper.nonce();
        if (tx.nonce() != expected) {
            throw new Rejection(ResultCode.BAD_NONCE, "expected " + expected + ", got " + tx.nonce());
        }
        keeper.setNonce(expected + 1);
    }

    /**
     * Checks that every signer is a governance key and that there are at least threshold
     * of them. Public for modules whose transactions need governance authority (credit
     * reporter authorisation); they also check and advance the governance nonce.
     */
    public static void requireAuthority(GovernanceKeySet keySet, SignedTx tx) throws Rejection {
        Set<ByteString> members = new HashSet<>();
        for (PublicKey k : keySet.getKeysList()) {
            members.add(k.toByteString());
        }
        for (PublicKey signer : tx.signers()) {
            if (!members.contains(signer.toByteString())) {
                throw new Rejection(ResultCode.NOT_GOVERNANCE_KEY);
            }
        }
        // Signers are distinct (TxCodec) and all verified (TxRouter), so their count is
        // the number of distinct valid governance signatures.
        if (tx.signers().size() < keySet.getThreshold() || keySet.getThreshold() == 0) {
            throw new Rejection(ResultCode.INSUFFICIENT_GOVERNANCE_SIGNATURES,
                    tx.signers().size() + " of " + keySet.getThreshold());
        }
    }

    private static void changeParams(TxContext ctx, GovKeeper keeper, byte[] payload) throws Rejection {
        ParamChange change = Canonical.parse(ParamChange.parser(), payload, ResultCode.MALFORMED_PAYLOAD);
        if (change.getChangesCount() == 0) {
            throw new Rejection(ResultCode.EMPTY_PARAM_CHANGE);
        }
        Map<Param, Long> updates = new LinkedHashMap<>();
        for (ParamValue pv : change.getChangesList()) {
            Param p = Param.byId(pv.getName());
            if (p == null) {
                throw new Rejection(ResultCode.UNKNOWN_PARAMETER, pv.getName());
            }
            Long value = Param.parseCanonical(pv.getValue());
            if (value == null || !p.accepts(value)) {
                throw new Rejection(ResultCode.INVALID_PARAMETER_VALUE,
                        p.id() + "=" + pv.getValue() + " (allowed " + p.min() + ".." + p.max() + ")");
            }
            if (updates.put(p, value) != null) {
                throw new Rejection(ResultCode.DUPLICATE_PARAMETER, p.id());
            }
        }
        if (updates.containsKey(Param.GOV_MAX_KEYS) && updates.get(Param.GOV_MAX_KEYS) < keeper.keySet().getKeysCount()) {
            throw new Rejection(ResultCode.INVALID_PARAMETER_VALUE, "gov.max_keys below the current key count");
        }
        for (Map.Entry<Param, Long> u : updates.entrySet()) {
            long old = keeper.param(u.getKey());
            keeper.setParam(u.getKey(), u.getValue(), ctx.height());
            ctx.emit("gov.param_changed", "name", u.getKey().id(), "old", Long.toString(old), "new", Long.toString(u.getValue()));
        }
    }

    private static void rotateKeys(TxContext ctx, GovKeeper keeper, byte[] payload) throws Rejection {
        KeyRotation rotation = Canonical.parse(KeyRotation.parser(), payload, ResultCode.MALFORMED_PAYLOAD);
        GovernanceKeySet next = validateKeySet(rotation.getKeysList(), rotation.getThreshold(), keeper.param(Param.GOV_MAX_KEYS), ctx.height());
        keeper.setKeySet(next);
        ctx.emit("gov.keys_rotated", "keys", Integer.toString(next.getKeysCount()), "threshold", Integer.toString(next.getThreshold()));
    }

    /** Shared by key rotation and genesis: distinct, valid Ed25519 keys and a sane threshold. */
    static GovernanceKeySet validateKeySet(Iterable<PublicKey> keys, int threshold, long maxKeys, long height) throws Rejection {
        GovernanceKeySet.Builder set = GovernanceKeySet.newBuilder().setThreshold(threshold).setUpdatedHeight(height);
        Set<ByteString> seen = new HashSet<>();
        for (PublicKey k : keys) {
            if (k.getType() != KeyType.KEY_TYPE_ED25519) {
                throw new Rejection(ResultCode.INVALID_KEY_SET, "governance keys are Ed25519");
            }
            try {
                SignatureVerifier.validateKey(k);
            } catch (Rejection r) {
                throw new Rejection(ResultCode.INVALID_KEY_SET, r.getMessage());
            }
            if (!seen.add(k.toByteString())) {
                throw new Rejection(ResultCode.INVALID_KEY_SET, "duplicate key");
            }
            set.addKeys(k);
        }
        if (set.getKeysCount() == 0 || set.getKeysCount() > maxKeys) {
            throw new Rejection(ResultCode.INVALID_KEY_SET, set.getKeysCount() + " keys (1.." + maxKeys + ")");
        }
        if (threshold < 1 || threshold > set.getKeysCount()) {
            throw new Rejection(ResultCode.INVALID_THRESHOLD, threshold + " of " + set.getKeysCount());
        }
        return set.build();
    }
}
