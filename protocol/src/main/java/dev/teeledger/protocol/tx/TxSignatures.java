package dev.teeledger.protocol.tx;

import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.sig.VerifiedSignatureCache;

/**
 * Checks every signature of a transaction against its signer and the chain id.
 * All signatures must verify: a transaction carrying one bad signature is
 * rejected even if the remaining ones would meet a governance threshold, so that
 * what a block contains is always fully authenticated.
 */
public final class TxSignatures {
    private TxSignatures() {}

    public static void verifyAll(SignedTx tx, String chainId, VerifiedSignatureCache cache) throws Rejection {
        byte[] message = tx.signBytes(chainId);
        for (int i = 0; i < tx.signatures().size(); i++) {
            if (!cache.verify(tx.signers().get(i), message, tx.signatures().get(i))) {
                throw new Rejection(ResultCode.INVALID_SIGNATURE, "signature " + i);
            }
        }
    }
}
