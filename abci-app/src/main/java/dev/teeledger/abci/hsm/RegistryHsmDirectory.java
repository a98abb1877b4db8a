package dev.teeledger.abci.hsm;

import dev.teeledger.abci.credit.HsmDirectory;
import dev.teeledger.abci.state.KvReader;

/**
 * Credit's view of the registry: an id is registered iff an HSM record exists for it, in any
 * state (a suspended or revoked HSM still has a balance that penalties may burn). Reads the
 * block's store, so a join earlier in the same block counts.
 */
public final class RegistryHsmDirectory implements HsmDirectory {
    @Override
    public boolean isRegistered(KvReader state, byte[] hsmId) {
        return hsmId != null && hsmId.length == ID_BYTES && new HsmKeeper(state).find(hsmId) != null;
    }
}
