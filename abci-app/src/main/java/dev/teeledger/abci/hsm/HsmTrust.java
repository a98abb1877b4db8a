package dev.teeledger.abci.hsm;

import dev.teeledger.protocol.state.v1.HsmRecord;
import dev.teeledger.protocol.state.v1.HsmState;
import dev.teeledger.protocol.state.v1.ManufacturerRecord;
import dev.teeledger.protocol.state.v1.ManufacturerStatus;

/**
 * The derived-trust rule, applied on read and never stored: an HSM is trusted iff its record
 * is PENDING or ACTIVE and its manufacturer is ACTIVE. Revoking a manufacturer therefore
 * untrusts all its HSMs in the one transaction that changes the manufacturer record, without
 * touching (or scanning) them. Pure, so a client applies it to the two proven records
 * ({@code /hsm/<id>} and {@code /manufacturer/<mid>} at the same height) and gets the chain's
 * answer.
 */
public final class HsmTrust {
    private HsmTrust() {}

    public static boolean trusted(HsmRecord hsm, ManufacturerRecord manufacturer) {
        return hsm != null && manufacturer != null
                && manufacturer.getId().equals(hsm.getManufacturerId())
                && manufacturer.getStatus() == ManufacturerStatus.MANUFACTURER_STATUS_ACTIVE
                && (hsm.getState() == HsmState.HSM_STATE_PENDING || hsm.getState() == HsmState.HSM_STATE_ACTIVE);
    }
}
