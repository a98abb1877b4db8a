package dev.teeledger.abci.firmware;

import dev.teeledger.abci.app.TxContext;
import dev.teeledger.abci.app.TxHandler;
import dev.teeledger.abci.gov.GovTxHandler;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.state.v1.FirmwareRecord;
import dev.teeledger.protocol.tx.Canonical;
import dev.teeledger.protocol.tx.SignedTx;
import dev.teeledger.protocol.tx.v1.FirmwareApprove;
import dev.teeledger.protocol.tx.v1.FirmwareRetire;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Allow-list governance transactions: approve a binary for a height window, retire it. Both
 * need k-of-n governance signers and the governance nonce. Checks run in a fixed order
 * (authority, nonce, payload fields in field order, state); any rejection writes nothing.
 * A hash is listed at most once: a retired entry stays as the record of its history, so the
 * latest record decides approval at every height. Both note the height at which the entry stops
 * being approved ({@link FirmwareKeeper#scheduleEnd}), where the HSM registry suspends the
 * ACTIVE HSMs running it.
 */
public final class FirmwareTxHandler implements TxHandler {
    public static final int MAX_COMPONENT_BYTES = 64;
    public static final int MAX_VERSION_BYTES = 64;
    public static final int MAX_REASON_BYTES = 256;

    private static final HexFormat HEX = HexFormat.of();

    @Override
    public void deliver(TxContext ctx, SignedTx tx) throws Rejection {
        GovTxHandler.authorize(ctx, tx);
        switch (tx.type()) {
            case TX_TYPE_FIRMWARE_APPROVE -> approve(ctx, tx.payload());
            case TX_TYPE_FIRMWARE_RETIRE -> retire(ctx, tx.payload());
            default -> throw new Rejection(ResultCode.UNKNOWN_TX_TYPE, tx.type().name());
        }
    }

    private static void approve(TxContext ctx, byte[] payload) throws Rejection {
        FirmwareApprove a = Canonical.parse(FirmwareApprove.parser(), payload, ResultCode.MALFORMED_PAYLOAD);
        String component = a.getComponent();
        if (component.isEmpty() || component.length() > MAX_COMPONENT_BYTES
                || !component.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
            throw new Rejection(ResultCode.INVALID_FIRMWARE_COMPONENT, component);
        }
        String version = a.getVersion();
        if (version.isEmpty() || version.length() > MAX_VERSION_BYTES || !version.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new Rejection(ResultCode.INVALID_FIRMWARE_VERSION, version);
        }
        if (a.getSha256().size() != 32) {
            throw new Rejection(ResultCode.INVALID_FIRMWARE_HASH, a.getSha256().size() + " bytes");
        }
        long from = a.getValidFromHeight();
        long until = a.getValidUntilHeight();
        // Heights are uint64 on the wire; anything past 2^63-1 or before this block is refused,
        // so no entry is ever approved retroactively and the latest record tells the history.
        if (from < ctx.height() || (until != 0 && (until < 0 || until <= from))) {
            throw new Rejection(ResultCode.INVALID_FIRMWARE_WINDOW,
                    "from " + Long.toUnsignedString(from) + " until " + Long.toUnsignedString(until) + " at height " + ctx.height());
        }
        FirmwareKeeper keeper = new FirmwareKeeper(ctx.store());
        byte[] sha = a.getSha256().toByteArray();
        if (keeper.find(sha) != null) {
            throw new Rejection(ResultCode.FIRMWARE_ALREADY_LISTED, HEX.formatHex(sha));
        }
        keeper.put(FirmwareRecord.newBuilder().setComponent(component).setVersion(version).setSha256(a.getSha256())
                .setValidFromHeight(from).setValidUntilHeight(until).setApprovedHeight(ctx.height()).build());
        if (until != 0) {
            keeper.scheduleEnd(sha, until);
        }
        ctx.emit("firmware.approved", "sha256", HEX.formatHex(sha), "component", component, "version", version,
                "valid_from_height", Long.toString(from), "valid_until_height", Long.toString(until));
    }

    private static void retire(TxContext ctx, byte[] payload) throws Rejection {
        FirmwareRetire r = Canonical.parse(FirmwareRetire.parser(), payload, ResultCode.MALFORMED_PAYLOAD);
        if (r.getSha256().size() != 32) {
            throw new Rejection(ResultCode.INVALID_FIRMWARE_HASH, r.getSha256().size() + " bytes");
        }
        int reasonBytes = r.getReason().getBytes(StandardCharsets.UTF_8).length;
        if (reasonBytes == 0 || reasonBytes > MAX_REASON_BYTES) {
            throw new Rejection(ResultCode.INVALID_REVOCATION_REASON, reasonBytes + " bytes");
        }
        FirmwareKeeper keeper = new FirmwareKeeper(ctx.store());
        byte[] sha = r.getSha256().toByteArray();
        FirmwareRecord rec = keeper.find(sha);
        if (rec == null) {
            throw new Rejection(ResultCode.UNKNOWN_FIRMWARE, HEX.formatHex(sha));
        }
        if (rec.getRetiredHeight() != 0) {
            throw new Rejection(ResultCode.FIRMWARE_ALREADY_RETIRED, HEX.formatHex(sha));
        }
        keeper.put(rec.toBuilder().setRetiredHeight(ctx.height()).setRetireReason(r.getReason()).build());
        // The entry now ends here, unless its window already closed (then it ended before).
        long until = rec.getValidUntilHeight();
        if (until == 0 || until > ctx.height()) {
            if (until != 0) {
                keeper.unscheduleEnd(sha, until);
            }
            keeper.scheduleEnd(sha, ctx.height());
        }
        ctx.emit("firmware.retired", "sha256", HEX.formatHex(sha), "reason", r.getReason());
    }
}
