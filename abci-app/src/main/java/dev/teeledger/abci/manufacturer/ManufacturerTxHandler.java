package dev.teeledger.abci.manufacturer;

import com.google.protobuf.ByteString;
import dev.teeledger.abci.app.TxContext;
import dev.teeledger.abci.app.TxHandler;
import dev.teeledger.abci.gov.GovTxHandler;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.state.v1.ManufacturerRecord;
import dev.teeledger.protocol.state.v1.ManufacturerStatus;
import dev.teeledger.protocol.tx.Canonical;
import dev.teeledger.protocol.tx.SignedTx;
import dev.teeledger.protocol.tx.v1.ManufacturerAdd;
import dev.teeledger.protocol.tx.v1.ManufacturerRevoke;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Manufacturer governance transactions: add a root CA, revoke one. Both need k-of-n
 * governance signers ({@link GovTxHandler#requireAuthority}) and the governance nonce, as
 * governance's own transactions. Checks run in a fixed order (authority, nonce, payload,
 * certificate, state) so a transaction with several faults always gets the same code; any
 * rejection writes nothing. Revocation is final and does not touch HSM records: their trust is
 * derived from the manufacturer's status when read.
 */
public final class ManufacturerTxHandler implements TxHandler {
    public static final int MAX_NAME_BYTES = 128;
    public static final int MAX_REASON_BYTES = 256;
    public static final int MAX_INTERMEDIATES = 8;

    private static final HexFormat HEX = HexFormat.of();

    @Override
    public void deliver(TxContext ctx, SignedTx tx) throws Rejection {
        GovTxHandler.authorize(ctx, tx);
        switch (tx.type()) {
            case TX_TYPE_MANUFACTURER_ADD -> add(ctx, tx.payload());
            case TX_TYPE_MANUFACTURER_REVOKE -> revoke(ctx, tx.payload());
            default -> throw new Rejection(ResultCode.UNKNOWN_TX_TYPE, tx.type().name());
        }
    }

    private static void add(TxContext ctx, byte[] payload) throws Rejection {
        ManufacturerAdd add = Canonical.parse(ManufacturerAdd.parser(), payload, ResultCode.MALFORMED_PAYLOAD);
        int nameBytes = add.getName().getBytes(StandardCharsets.UTF_8).length;
        if (nameBytes == 0 || nameBytes > MAX_NAME_BYTES || add.getName().chars().anyMatch(Character::isISOControl)) {
            throw new Rejection(ResultCode.INVALID_MANUFACTURER_NAME, nameBytes + " bytes");
        }
        if (add.getIntermediatesCount() > MAX_INTERMEDIATES) {
            throw new Rejection(ResultCode.TOO_MANY_INTERMEDIATES, Integer.toString(add.getIntermediatesCount()));
        }
        RootCertificate root = RootCertificate.parse(add.getRootCertificate().toByteArray());
        for (ByteString der : add.getIntermediatesList()) {
            RootCertificate.parse(der.toByteArray()).requireCa();
        }
        root.requireCa();
        root.requireValidAt(ctx.time());
        ManufacturerKeeper keeper = new ManufacturerKeeper(ctx.store());
        String id = HEX.formatHex(root.id());
        if (keeper.find(root.id()) != null) {
            throw new Rejection(ResultCode.MANUFACTURER_ALREADY_REGISTERED, id);
        }
        keeper.put(ManufacturerRecord.newBuilder().setId(ByteString.copyFrom(root.id())).setName(add.getName())
                .setRootCertificate(add.getRootCertificate()).addAllIntermediates(add.getIntermediatesList())
                .setSubject(root.subject()).setStatus(ManufacturerStatus.MANUFACTURER_STATUS_ACTIVE)
                .setAddedHeight(ctx.height()).build());
        ctx.emit("manufacturer.added", "manufacturer_id", id, "name", add.getName(), "subject", root.subject());
    }

    private static void revoke(TxContext ctx, byte[] payload) throws Rejection {
        ManufacturerRevoke revoke = Canonical.parse(ManufacturerRevoke.parser(), payload, ResultCode.MALFORMED_PAYLOAD);
        if (revoke.getManufacturerId().size() != 32) {
            throw new Rejection(ResultCode.UNKNOWN_MANUFACTURER, "id of " + revoke.getManufacturerId().size() + " bytes");
        }
        int reasonBytes = revoke.getReason().getBytes(StandardCharsets.UTF_8).length;
        if (reasonBytes == 0 || reasonBytes > MAX_REASON_BYTES) {
            throw new Rejection(ResultCode.INVALID_REVOCATION_REASON, reasonBytes + " bytes");
        }
        ManufacturerKeeper keeper = new ManufacturerKeeper(ctx.store());
        byte[] idBytes = revoke.getManufacturerId().toByteArray();
        String id = HEX.formatHex(idBytes);
        ManufacturerRecord record = keeper.find(idBytes);
        if (record == null) {
            throw new Rejection(ResultCode.UNKNOWN_MANUFACTURER, id);
        }
        if (record.getStatus() == ManufacturerStatus.MANUFACTURER_STATUS_REVOKED) {
            throw new Rejection(ResultCode.MANUFACTURER_ALREADY_REVOKED, id);
        }
        keeper.put(record.toBuilder().setStatus(ManufacturerStatus.MANUFACTURER_STATUS_REVOKED)
                .setRevokedHeight(ctx.height()).setRevokeReason(revoke.getReason()).build());
        ctx.emit("manufacturer.revoked", "manufacturer_id", id, "reason", revoke.getReason());
    }
}
