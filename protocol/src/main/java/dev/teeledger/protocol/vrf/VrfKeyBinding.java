package dev.teeledger.protocol.vrf;

import dev.teeledger.protocol.sig.P256;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.math.ec.ECPoint;

/**
 * The statement by which a node key vouches for the HSM's ECVRF key at join: an ECDSA P-256
 * signature (DER, as TPM2_Sign output converted by tpm2-tools, or any ECDSA library) over
 * SHA-256 of
 *
 * <pre>
 * "teeledger/hsm-join/vrf-key/v1" 0x00 || u8 len(chain id) || chain id || hsm id (32) || vrf public key (33)
 * </pre>
 *
 * The tag and chain id keep the signature from being replayed on another chain or taken as a
 * transaction signature (those sign {@code SignBytes}, which start differently); the HSM id
 * ties the VRF key to this one TPM. Verified with BouncyCastle's {@link ECDSASigner};
 * deterministic.
 */
public final class VrfKeyBinding {
    public static final String TAG = "teeledger/hsm-join/vrf-key/v1";

    private VrfKeyBinding() {}

    /** The exact bytes whose SHA-256 the node key signs. */
    public static byte[] message(String chainId, byte[] hsmId, byte[] vrfPublicKey) {
        byte[] chain = chainId.getBytes(StandardCharsets.UTF_8);
        if (chain.length > 255) {
            throw new IllegalArgumentException("chain id over 255 bytes");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(TAG.getBytes(StandardCharsets.US_ASCII));
        out.write(0);
        out.write(chain.length);
        out.writeBytes(chain);
        out.writeBytes(hsmId);
        out.writeBytes(vrfPublicKey);
        return out.toByteArray();
    }

    public static byte[] digest(byte[] message) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(message);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JRE", e);
        }
    }

    /**
     * True iff {@code derSignature} is a strict DER ECDSA-Sig-Value (r, s in [1, n-1]) that
     * verifies over SHA-256 of {@code message} with {@code nodeKey}.
     */
    public static boolean verify(ECPoint nodeKey, byte[] message, byte[] derSignature) {
        if (derSignature == null || derSignature.length == 0 || derSignature.length > 80) {
            return false;
        }
        BigInteger r;
        BigInteger s;
        try {
            ASN1Sequence seq = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(derSignature));
            if (seq.size() != 2 || !java.util.Arrays.equals(seq.getEncoded("DER"), derSignature)) {
                return false;
            }
            r = ASN1Integer.getInstance(seq.getObjectAt(0)).getValue();
            s = ASN1Integer.getInstance(seq.getObjectAt(1)).getValue();
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return verifies(nodeKey, digest(message), r, s);
    }

    /**
     * True iff (r, s), both in [1, n-1], verifies over {@code digest} with {@code nodeKey}. For
     * callers holding the raw signature, e.g. a TPM2_Sign result (the tpm-sidecar checks its
     * own binding before serving it).
     */
    public static boolean verifies(ECPoint nodeKey, byte[] digest, BigInteger r, BigInteger s) {
        if (r.signum() <= 0 || s.signum() <= 0 || r.compareTo(P256.N) >= 0 || s.compareTo(P256.N) >= 0) {
            return false;
        }
        ECDSASigner verifier = new ECDSASigner();
        verifier.init(false, new ECPublicKeyParameters(nodeKey, P256.DOMAIN));
        return verifier.verifySignature(digest, r, s);
    }

    /** The DER ECDSA-Sig-Value of (r, s), the form the join carries. */
    public static byte[] der(BigInteger r, BigInteger s) {
        try {
            return new DERSequence(new ASN1Integer[] {new ASN1Integer(r), new ASN1Integer(s)}).getEncoded("DER");
        } catch (IOException e) {
            throw new IllegalStateException("DER encoding of two integers cannot fail", e);
        }
    }
}
