package dev.teeledger.protocol.tx;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.teeledger.protocol.sig.Signer;
import dev.teeledger.protocol.tx.v1.Tx;
import dev.teeledger.protocol.tx.v1.TxBody;
import dev.teeledger.protocol.tx.v1.TxType;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds and signs transactions on the client side (CLI, services, tests). The
 * output is canonical by construction.
 */
public final class TxBuilder {
    private final String chainId;
    private TxType type = TxType.TX_TYPE_UNSPECIFIED;
    private byte[] payload = new byte[0];
    private long nonce;
    private String memo = "";
    private final List<Signer> signers = new ArrayList<>();

    private TxBuilder(String chainId) {
        this.chainId = chainId;
    }

    public static TxBuilder forChain(String chainId) {
        return new TxBuilder(chainId);
    }

    public TxBuilder type(TxType type) {
        this.type = type;
        return this;
    }

    public TxBuilder payload(Message payload) {
        this.payload = payload.toByteArray();
        return this;
    }

    public TxBuilder payloadBytes(byte[] payload) {
        this.payload = payload.clone();
        return this;
    }

    public TxBuilder nonce(long nonce) {
        this.nonce = nonce;
        return this;
    }

    public TxBuilder memo(String memo) {
        this.memo = memo;
        return this;
    }

    public TxBuilder signer(Signer signer) {
        signers.add(signer);
        return this;
    }

    public TxBuilder signers(List<? extends Signer> all) {
        signers.addAll(all);
        return this;
    }

    /** The signed transaction's bytes, ready for {@code broadcast_tx_*}. */
    public byte[] build() {
        TxBody.Builder body = TxBody.newBuilder()
                .setType(type)
                .setPayload(ByteString.copyFrom(payload))
                .setNonce(nonce)
                .setMemo(memo);
        for (Signer s : signers) {
            body.addSigners(s.publicKey());
        }
        byte[] bodyBytes = body.build().toByteArray();
        byte[] signBytes = SignBytes.of(chainId, bodyBytes);
        Tx.Builder tx = Tx.newBuilder().setBody(ByteString.copyFrom(bodyBytes));
        for (Signer s : signers) {
            tx.addSignatures(ByteString.copyFrom(s.sign(signBytes)));
        }
        return tx.build().toByteArray();
    }
}
