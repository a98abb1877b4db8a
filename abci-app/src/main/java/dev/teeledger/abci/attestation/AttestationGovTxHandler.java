package dev.teeledger.abci.attestation;

import dev.teeledger.abci.app.TxContext;
import dev.teeledger.abci.app.TxHandler;
import dev.teeledger.abci.credit.CreditKeeper;
import dev.teeledger.abci.gov.GovTxHandler;
import dev.teeledger.abci.hsm.HsmKeeper;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.state.v1.AkBinding;
import dev.teeledger.protocol.state.v1.HsmRecord;
import dev.teeledger.protocol.state.v1.HsmState;
import dev.teeledger.protocol.state.v1.RoundTrigger;
import dev.teeledger.protocol.tx.Canonical;
import dev.teeledger.protocol.tx.SignedTx;
import dev.teeledger.protocol.tx.v1.AttestationRequest;
import dev.teeledger.protocol.tx.v1.BootstrapActivation;
import dev.teeledger.protocol.tx.v1.CreditReason;
import java.nio.charset.StandardCharsets;

/**
 * Governance levers on attestation, both k-of-n signed ({@link GovTxHandler#authorize}):
 * <ul>
 *   <li>{@code ATTESTATION_REQUEST}: open a round for an attestable HSM at the end of this
 *       block (UNKNOWN_HSM, HSM_NOT_ATTESTABLE, ROUND_ALREADY_OPEN);</li>
 *   <li>{@code ATTESTATION_BOOTSTRAP}: make a PENDING, trusted HSM ACTIVE without a round and
 *       mint its activation grant. A network's first HSMs have no credit, so no sortition can
 *       select anyone to verify them; governance, having checked them out of band, seeds the
 *       first verifiers. The binding is recorded as a bootstrap, visible in queries
 *       (UNKNOWN_HSM, NOT_PENDING, HSM_NOT_ATTESTABLE).</li>
 * </ul>
 * Reasons are 1 to 256 bytes of UTF-8 (INVALID_REVOCATION_REASON, shared with the registry).
 */
public final class AttestationGovTxHandler implements TxHandler {
    static final int MAX_REASON_BYTES = 256;

    @Override
    public void deliver(TxContext ctx, SignedTx tx) throws Rejection {
        GovTxHandler.authorize(ctx, tx);
        switch (tx.type()) {
            case TX_TYPE_ATTESTATION_REQUEST -> request(ctx, tx.payload());
            case TX_TYPE_ATTESTATION_BOOTSTRAP -> bootstrap(ctx, tx.payload());
            default -> throw new Rejection(ResultCode.UNKNOWN_TX_TYPE, tx.type().name());
        }
    }

    private static void request(TxContext ctx, byte[] payload) throws Rejection {
        AttestationRequest req = Canonical.parse(AttestationRequest.parser(), payload, ResultCode.MALFORMED_PAYLOAD);
        checkReason(req.getReason());
        HsmRecord record = find(ctx, req.getHsmId().toByteArray());
        if (!RoundScheduler.attestable(ctx.store(), record)) {
            // A PENDING, ACTIVE or SUSPENDED record is refused only because its manufacturer root was revoked.
            boolean stateAttestable = record.getState() == HsmState.HSM_STATE_PENDING
                    || record.getState() == HsmState.HSM_STATE_ACTIVE || record.getState() == HsmState.HSM_STATE_SUSPENDED;
            throw new Rejection(ResultCode.HSM_NOT_ATTESTABLE, stateAttestable
                    ? "manufacturer root is revoked (record state " + record.getState().name() + ")" : record.getState().name());
        }
        AttestationKeeper keeper = new AttestationKeeper(ctx.store());
        if (keeper.openRound(record.getHsmId().toByteArray()).isPresent()) {
            throw new Rejection(ResultCode.ROUND_ALREADY_OPEN, "round " + keeper.openRound(record.getHsmId().toByteArray()).get());
        }
        RoundScheduler.scheduleNow(ctx, record.getHsmId().toByteArray(), RoundTrigger.ROUND_TRIGGER_GOVERNANCE, 0);
        ctx.emit("attestation.round_requested", "hsm_id", java.util.HexFormat.of().formatHex(record.getHsmId().toByteArray()),
                "reason", req.getReason());
    }

    private static void bootstrap(TxContext ctx, byte[] payload) throws Rejection {
        BootstrapActivation b = Canonical.parse(BootstrapActivation.parser(), payload, ResultCode.MALFORMED_PAYLOAD);
        checkReason(b.getReason());
        HsmRecord record = find(ctx, b.getHsmId().toByteArray());
        if (record.getState() != HsmState.HSM_STATE_PENDING) {
            throw new Rejection(ResultCode.NOT_PENDING, record.getState().name());
        }
        if (!RoundScheduler.attestable(ctx.store(), record)) {
            throw new Rejection(ResultCode.HSM_NOT_ATTESTABLE, "manufacturer root is revoked");
        }
        byte[] id = record.getHsmId().toByteArray();
        AttestationKeeper keeper = new AttestationKeeper(ctx.store());
        AttestationParams params = AttestationParams.read(ctx.store());
        keeper.putBinding(id, AkBinding.newBuilder().setHeight(ctx.height()).setBootstrap(true).setReason(b.getReason()).build());
        new CreditKeeper(ctx).mint(id, params.activationGrant(), CreditReason.CREDIT_REASON_ACTIVATION_GRANT);
        RoundSettlement.activate(ctx, keeper, new HsmKeeper(ctx), record, "governance bootstrap: " + b.getReason());
        RoundScheduler.schedulePeriodic(ctx, keeper, id, ctx.height(), params.period());
    }

    private static HsmRecord find(TxContext ctx, byte[] hsmId) throws Rejection {
        HsmRecord record = hsmId.length == 32 ? new HsmKeeper(ctx.store()).find(hsmId) : null;
        if (record == null) {
            throw new Rejection(ResultCode.UNKNOWN_HSM, java.util.HexFormat.of().formatHex(hsmId));
        }
        return record;
    }

    private static void checkReason(String reason) throws Rejection {
        int n = reason.getBytes(StandardCharsets.UTF_8).length;
        if (n < 1 || n > MAX_REASON_BYTES) {
            throw new Rejection(ResultCode.INVALID_REVOCATION_REASON, n + " bytes");
        }
    }
}
