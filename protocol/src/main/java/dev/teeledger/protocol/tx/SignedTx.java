package dev.teeledger.protocol.tx;

import dev.teeledger.protocol.tx.v1.PublicKey;
import dev.teeledger.protocol.tx.v1.TxBody;
import dev.teeledger.protocol.tx.v1.TxType;
import java.util.List;

/**
 * A transaction that passed the stateless envelope checks of {@link TxCodec}:
 * canonical encoding, known type, one well-formed key per signature, distinct
 * signers. Signatures are not yet verified (see {@link TxSignatures}).
 *
 * @param hash SHA-256 of the raw bytes, the same hash CometBFT reports
 */
public record SignedTx(byte[] raw, byte[] hash, TxBody body, byte[] bodyBytes, List<byte[]> signatures) {
    public TxType type() {
        return body.getType();
    }

    public List<PublicKey> signers() {
        return body.getSignersList();
    }

    public long nonce() {
        return body.getNonce();
    }

    public byte[] payload() {
        return body.getPayload().toByteArray();
    }

    /** What each signer signed, on the chain with this id. */
    public byte[] signBytes(String chainId) {
        return SignBytes.of(chainId, bodyBytes);
    }
}
