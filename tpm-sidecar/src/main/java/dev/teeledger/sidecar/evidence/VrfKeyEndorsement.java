package dev.teeledger.sidecar.evidence;

import dev.teeledger.protocol.sig.P256;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.math.ec.ECPoint;

/**
 * The statement by which the node key vouches for the HSM's ECVRF key in a join transaction,
 * byte for byte the message the chain checks (abci-app {@code hsm.VrfKeyBinding}, which the
 * sidecar must not depend on; a test pins the two together):
 *
 * <pre>
 * "teeledger/hsm-join/vrf-key/v1" 0x00 || u8 len(chain id) || chain id || hsm id (32) || vrf public key (33)
 * </pre>
 *
 * The node key signs SHA-256 of it with TPM2_Sign; the signature travels DER-encoded.
 */
public final class VrfKeyEndorsement {

    public static final String TAG = "teeledger/hsm-join/vrf-key/v1";

    private VrfKeyEndorsement() {}

    /** The exact bytes whose SHA-256 the node key signs; chain id at most 255 UTF-8 bytes. */
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

    /** SHA-256 of {@link #message}. */
    public static byte[] digest(String chainId, byte[] hsmId, byte[] vrfPublicKey) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(message(chainId, hsmId, vrfPublicKey));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JRE", e);
        }
    }

    /** DER ECDSA-Sig-Value of (r, s). */
    public static byte[] der(BigInteger r, BigInteger s) {
        try {
            return new DERSequence(new ASN1Integer[] {new ASN1Integer(r), new ASN1Integer(s)}).getEncoded("DER");
        } catch (IOException e) {
            throw new IllegalStateException("DER encoding of two integers cannot fail", e);
        }
    }

    /** True iff (r, s) verifies over {@code digest} with {@code nodeKey} (BouncyCastle ECDSA). */
    public static boolean verifies(ECPoint nodeKey, byte[] digest, BigInteger r, BigInteger s) {
        if (r.signum() <= 0 || s.signum() <= 0 || r.compareTo(P256.N) >= 0 || s.compareTo(P256.N) >= 0) {
            return false;
        }
        ECDSASigner verifier = new ECDSASigner();
        verifier.init(false, new ECPublicKeyParameters(nodeKey, P256.DOMAIN));
        return verifier.verifySignature(digest, r, s);
    }
}
