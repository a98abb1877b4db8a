package dev.teeledger.abci.hsm;

import com.google.protobuf.ByteString;
import dev.teeledger.abci.firmware.FirmwareKeeper;
import dev.teeledger.protocol.state.v1.FirmwareRecord;
import dev.teeledger.protocol.state.v1.HsmRecord;
import dev.teeledger.protocol.state.v1.HsmState;
import dev.teeledger.protocol.state.v1.ManufacturerRecord;
import dev.teeledger.protocol.state.v1.ManufacturerStatus;
import dev.teeledger.protocol.state.v1.MeasuredFirmware;
import java.util.function.Function;

/**
 * The derived-trust rule, applied on read and never stored: an HSM is trusted iff its record
 * is PENDING or ACTIVE and its manufacturer is ACTIVE. Revoking a manufacturer therefore
 * untrusts all its HSMs in the one transaction that changes the manufacturer record, without
 * touching (or scanning) them. Pure, so a client applies it to the two proven records
 * ({@code /hsm/<id>} and {@code /manufacturer/<mid>} at the same height) and gets the chain's
 * answer.
 *
 * <p>The firmware-aware form also requires every hash the HSM was last attested running
 * ({@code /hsm/measured/<id>}) to be approved at the height ({@link FirmwareKeeper#approvedAt} on
 * each {@code /firmware/<sha>}). It is exact even in the few blocks before {@link FirmwareExpiry}
 * has suspended every ACTIVE HSM on an entry that stopped being approved.
 */
public final class HsmTrust {
    private HsmTrust() {}

    public static boolean trusted(HsmRecord hsm, ManufacturerRecord manufacturer) {
        return hsm != null && manufacturer != null
                && manufacturer.getId().equals(hsm.getManufacturerId())
                && manufacturer.getStatus() == ManufacturerStatus.MANUFACTURER_STATUS_ACTIVE
                && (hsm.getState() == HsmState.HSM_STATE_PENDING || hsm.getState() == HsmState.HSM_STATE_ACTIVE);
    }

    /**
     * {@link #trusted(HsmRecord, ManufacturerRecord)} and every measured hash approved at
     * {@code height}; {@code firmware} returns the allow-list record of a hash, or null.
     */
    public static boolean trusted(HsmRecord hsm, ManufacturerRecord manufacturer, MeasuredFirmware measured,
            Function<ByteString, FirmwareRecord> firmware, long height) {
        if (!trusted(hsm, manufacturer)) {
            return false;
        }
        for (ByteString sha : measured.getHashesList()) {
            FirmwareRecord r = firmware.apply(sha);
            if (r == null || !FirmwareKeeper.approvedAt(r, height)) {
                return false;
            }
        }
        return true;
    }
}
