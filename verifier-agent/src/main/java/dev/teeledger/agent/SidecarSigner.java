package dev.teeledger.agent;

import com.google.protobuf.ByteString;
import dev.teeledger.protocol.sig.P256;
import dev.teeledger.protocol.sig.Signer;
import dev.teeledger.protocol.tpm.TpmFormatException;
import dev.teeledger.protocol.tpm.TpmtPublic;
import dev.teeledger.protocol.tx.v1.KeyType;
import dev.teeledger.protocol.tx.v1.PublicKey;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * The HSM's TPM node key as a transaction {@link Signer}: {@link #sign} sends SHA-256 of the
 * sign bytes to the sidecar's Sign call and returns its {@code signatureLowS} (64 bytes r ‖ s,
 * low S), the form the chain's ECDSA P-256 check wants ({@code docs/api.md}). The public key is
 * the compressed point of the node key's TPMT_PUBLIC from GetIdentity. A sidecar failure
 * surfaces as {@link SigningFailed}, which carries the typed {@link SidecarException};
 * {@code TxBuilder} is the only caller and the agent catches it around {@code build()}.
 */
public final class SidecarSigner implements Signer {

    /** A sign call that failed; unchecked only because {@link Signer#sign} declares nothing. */
    public static final class SigningFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SigningFailed(SidecarException cause) {
            super(cause.getMessage(), cause);
        }

        public SidecarException sidecarCause() {
            return (SidecarException) getCause();
        }
    }

    private final SidecarClient sidecar;
    private final PublicKey publicKey;

    public SidecarSigner(SidecarClient sidecar, PublicKey publicKey) {
        this.sidecar = Objects.requireNonNull(sidecar, "sidecar");
        this.publicKey = Objects.requireNonNull(publicKey, "publicKey");
    }

    /** A signer for the node key in {@code identity} (an ECC P-256 TPMT_PUBLIC). */
    public static SidecarSigner forIdentity(SidecarClient sidecar, SidecarClient.Identity identity) throws SidecarException {
        try {
            TpmtPublic node = TpmtPublic.parse(identity.nodeKeyPublic());
            byte[] compressed = P256.CURVE.getCurve().createPoint(node.eccX(), node.eccY()).getEncoded(true);
            return new SidecarSigner(sidecar, PublicKey.newBuilder().setType(KeyType.KEY_TYPE_ECDSA_P256)
                    .setKey(ByteString.copyFrom(compressed)).build());
        } catch (TpmFormatException | RuntimeException e) {
            throw new SidecarException(SidecarException.Kind.MALFORMED_RESPONSE,
                    "node key public area is not a P-256 key: " + e.getMessage(), 0, e);
        }
    }

    @Override
    public PublicKey publicKey() {
        return publicKey;
    }

    @Override
    public byte[] sign(byte[] message) {
        try {
            return sidecar.sign(MessageDigest.getInstance("SHA-256").digest(message)).lowS();
        } catch (SidecarException e) {
            throw new SigningFailed(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JRE", e);
        }
    }
}
