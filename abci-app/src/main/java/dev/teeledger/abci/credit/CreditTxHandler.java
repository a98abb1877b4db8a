package dev.teeledger.abci.credit;

import dev.teeledger.abci.app.TxContext;
import dev.teeledger.abci.app.TxHandler;
import dev.teeledger.abci.gov.GovTxHandler;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.sig.SignatureVerifier;
import dev.teeledger.protocol.tx.Canonical;
import dev.teeledger.protocol.tx.SignedTx;
import dev.teeledger.protocol.tx.v1.ActivityKind;
import dev.teeledger.protocol.tx.v1.ActivityReport;
import dev.teeledger.protocol.tx.v1.CreditReason;
import dev.teeledger.protocol.tx.v1.KeyType;
import dev.teeledger.protocol.tx.v1.PublicKey;
import dev.teeledger.protocol.tx.v1.ReporterChange;
import dev.teeledger.protocol.tx.v1.TxType;
import java.util.HexFormat;

/**
 * Credit transactions. Reporter authorisation and revocation are governance
 * transactions: k-of-n governance signers ({@link GovTxHandler#requireAuthority}) and the
 * governance nonce, exactly as governance's own transactions. An activity report has one
 * signer, an authorised reporter, with that key's own nonce; it mints or burns through
 * {@link CreditKeeper} and is counted once per idempotency key. Checks run in a fixed
 * order (signers, authority, nonce, payload, HSM, duplicate, arithmetic) so a transaction
 * with several faults always gets the same code; any rejection writes nothing.
 */
public final class CreditTxHandler implements TxHandler {
    /** Largest amount one report may carry: 2^62 credit units. */
    public static final long MAX_AMOUNT = CreditKeeper.MAX_TOTAL;
    public static final int MAX_IDEMPOTENCY_KEY_BYTES = 64;

    private static final HexFormat HEX = HexFormat.of();

    private final HsmDirectory hsms;

    public CreditTxHandler(HsmDirectory hsms) {
        this.hsms = hsms;
    }

    @Override
    public void deliver(TxContext ctx, SignedTx tx) throws Rejection {
        switch (tx.type()) {
            case TX_TYPE_CREDIT_REPORTER_AUTHORIZE, TX_TYPE_CREDIT_REPORTER_REVOKE -> changeReporter(ctx, tx);
            case TX_TYPE_CREDIT_ACTIVITY_REPORT -> report(ctx, tx);
            default -> throw new Rejection(ResultCode.UNKNOWN_TX_TYPE, tx.type().name());
        }
    }

    private static void changeReporter(TxContext ctx, SignedTx tx) throws Rejection {
        GovTxHandler.authorize(ctx, tx);
        ReporterChange change = Canonical.parse(ReporterChange.parser(), tx.payload(), ResultCode.MALFORMED_PAYLOAD);
        PublicKey key = change.getKey();
        if (key.getType() != KeyType.KEY_TYPE_ED25519 && key.getType() != KeyType.KEY_TYPE_ECDSA_P256) {
            throw new Rejection(ResultCode.INVALID_REPORTER_KEY, "key type " + key.getTypeValue());
        }
        try {
            SignatureVerifier.validateKey(key);
        } catch (Rejection r) {
            throw new Rejection(ResultCode.INVALID_REPORTER_KEY, r.getMessage());
        }
        CreditKeeper credit = new CreditKeeper(ctx);
        String digest = HEX.formatHex(CreditKeeper.keyDigest(key));
        if (tx.type() == TxType.TX_TYPE_CREDIT_REPORTER_AUTHORIZE) {
            if (credit.isReporter(key)) {
                throw new Rejection(ResultCode.REPORTER_ALREADY_AUTHORIZED, digest);
            }
            credit.authorizeReporter(key);
            ctx.emit("credit.reporter_authorized", "reporter", digest, "key_type", key.getType().name());
        } else {
            if (!credit.isReporter(key)) {
                throw new Rejection(ResultCode.REPORTER_NOT_AUTHORIZED, digest);
            }
            credit.revokeReporter(key);
            ctx.emit("credit.reporter_revoked", "reporter", digest, "key_type", key.getType().name());
        }
    }

    private void report(TxContext ctx, SignedTx tx) throws Rejection {
        if (tx.signers().size() != 1) {
            throw new Rejection(ResultCode.REPORTER_SIGNER_COUNT, tx.signers().size() + " signers");
        }
        PublicKey reporter = tx.signers().get(0);
        CreditKeeper credit = new CreditKeeper(ctx);
        if (!credit.isReporter(reporter)) {
            throw new Rejection(ResultCode.NOT_CREDIT_REPORTER, HEX.formatHex(CreditKeeper.keyDigest(reporter)));
        }
        long expected = credit.nonce(reporter);
        if (tx.nonce() != expected) {
            throw new Rejection(ResultCode.BAD_NONCE, "expected " + expected + ", got " + tx.nonce());
        }
        ActivityReport report = Canonical.parse(ActivityReport.parser(), tx.payload(), ResultCode.MALFORMED_PAYLOAD);
        byte[] hsmId = report.getHsmId().toByteArray();
        byte[] idem = report.getIdempotencyKey().toByteArray();
        if (hsmId.length != HsmDirectory.ID_BYTES) {
            throw new Rejection(ResultCode.INVALID_ACTIVITY_REPORT, "hsm_id must be 32 bytes, got " + hsmId.length);
        }
        if (report.getKind() != ActivityKind.ACTIVITY_KIND_INCOME && report.getKind() != ActivityKind.ACTIVITY_KIND_PENALTY) {
            throw new Rejection(ResultCode.INVALID_ACTIVITY_REPORT, "kind " + report.getKindValue());
        }
        if (report.getReason() == CreditReason.CREDIT_REASON_UNSPECIFIED || report.getReason() == CreditReason.UNRECOGNIZED) {
            throw new Rejection(ResultCode.INVALID_ACTIVITY_REPORT, "reason " + report.getReasonValue());
        }
        if (idem.length == 0 || idem.length > MAX_IDEMPOTENCY_KEY_BYTES) {
            throw new Rejection(ResultCode.INVALID_ACTIVITY_REPORT, "idempotency key must be 1..64 bytes, got " + idem.length);
        }
        // amount is a uint64: a value with the top bit set reads as a negative long.
        long amount = report.getAmount();
        if (amount == 0) {
            throw new Rejection(ResultCode.INVALID_ACTIVITY_REPORT, "amount 0");
        }
        if (amount < 0 || amount > MAX_AMOUNT) {
            throw new Rejection(ResultCode.CREDIT_OVERFLOW, "amount " + Long.toUnsignedString(amount) + " above 2^62");
        }
        if (!hsms.isRegistered(ctx.store(), hsmId)) {
            throw new Rejection(ResultCode.UNKNOWN_HSM, HEX.formatHex(hsmId));
        }
        if (credit.hasReceipt(idem)) {
            throw new Rejection(ResultCode.DUPLICATE_ACTIVITY_REPORT, HEX.formatHex(idem));
        }
        BalanceChange change = report.getKind() == ActivityKind.ACTIVITY_KIND_INCOME
                ? credit.mint(hsmId, amount, report.getReason())
                : credit.burn(hsmId, amount, report.getReason());
        credit.putReceipt(idem, hsmId, change.delta());
        credit.setNonce(reporter, expected + 1);
    }
}
