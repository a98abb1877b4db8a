package dev.teeledger.protocol.tx;

import com.google.protobuf.ByteString;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.sig.SignatureVerifier;
import dev.teeledger.protocol.tx.v1.PublicKey;
import dev.teeledger.protocol.tx.v1.Tx;
import dev.teeledger.protocol.tx.v1.TxBody;
import dev.teeledger.protocol.tx.v1.TxType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Decodes and checks transaction envelopes without touching state. Both CheckTx
 * and FinalizeBlock call it, so a transaction that slipped past one mempool still
 * meets the same checks in the block. Any byte input either yields a
 * {@link SignedTx} or a {@link Rejection} with a stable code.
 */
public final class TxCodec {
    private TxCodec() {}

    public static SignedTx decode(byte[] raw, TxLimits limits) throws Rejection {
        if (raw.length > limits.maxTxBytes()) {
            throw new Rejection(ResultCode.TX_TOO_LARGE, raw.length + " > " + limits.maxTxBytes() + " bytes");
        }
        Tx tx = Canonical.parse(Tx.parser(), raw, ResultCode.MALFORMED_TX);
        byte[] bodyBytes = tx.getBody().toByteArray();
        TxBody body = Canonical.parse(TxBody.parser(), bodyBytes, ResultCode.MALFORMED_TX);
        if (body.getType() == TxType.TX_TYPE_UNSPECIFIED || body.getType() == TxType.UNRECOGNIZED) {
            throw new Rejection(ResultCode.UNKNOWN_TX_TYPE, "type " + body.getTypeValue());
        }
        if (body.getMemo().getBytes(StandardCharsets.UTF_8).length > TxLimits.MAX_MEMO_BYTES) {
            throw new Rejection(ResultCode.MEMO_TOO_LONG);
        }
        List<PublicKey> signers = body.getSignersList();
        if (signers.isEmpty()) {
            throw new Rejection(ResultCode.NO_SIGNERS);
        }
        if (signers.size() > limits.maxSigners()) {
            throw new Rejection(ResultCode.TOO_MANY_SIGNERS, signers.size() + " > " + limits.maxSigners());
        }
        if (signers.size() != tx.getSignaturesCount()) {
            throw new Rejection(ResultCode.SIGNATURE_COUNT_MISMATCH,
                    signers.size() + " signers, " + tx.getSignaturesCount() + " signatures");
        }
        Set<ByteString> seen = new HashSet<>();
        for (PublicKey key : signers) {
            SignatureVerifier.validateKey(key);
            if (!seen.add(key.toByteString())) {
                throw new Rejection(ResultCode.DUPLICATE_SIGNER);
            }
        }
        List<byte[]> signatures = new ArrayList<>(tx.getSignaturesCount());
        for (ByteString s : tx.getSignaturesList()) {
            signatures.add(s.toByteArray());
        }
        return new SignedTx(raw, sha256(raw), body, bodyBytes, List.copyOf(signatures));
    }

    /** SHA-256 of the raw transaction, as CometBFT computes tx hashes. */
    public static byte[] sha256(byte[] raw) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(raw);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JDK", e);
        }
    }
}
