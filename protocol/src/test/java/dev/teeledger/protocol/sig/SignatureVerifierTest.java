package dev.teeledger.protocol.sig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.tx.v1.KeyType;
import dev.teeledger.protocol.tx.v1.PublicKey;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.util.BigIntegers;
import org.junit.jupiter.api.Test;

class SignatureVerifierTest {
    private static final byte[] MESSAGE = "hello chain".getBytes(StandardCharsets.UTF_8);

    @Test
    void ed25519MatchesRfc8032TestVector1() {
        // RFC 8032 section 7.1, TEST 1 (empty message).
        Ed25519KeyPair key = Ed25519KeyPair.fromSeed(HexFormat.of().parseHex(
                "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
        assertThat(key.publicKey().getKey().toByteArray()).isEqualTo(HexFormat.of().parseHex(
                "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
        byte[] sig = key.sign(new byte[0]);
        assertThat(sig).isEqualTo(HexFormat.of().parseHex(
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                        + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"));
        assertThat(SignatureVerifier.verify(key.publicKey(), new byte[0], sig)).isTrue();
    }

    @Test
    void ed25519InteroperatesWithJdkVerifier() throws Exception {
        Ed25519KeyPair key = Ed25519KeyPair.fromSeed(new byte[32]);
        byte[] sig = key.sign(MESSAGE);
        byte[] spki = concat(HexFormat.of().parseHex("302a300506032b6570032100"), key.publicKey().getKey().toByteArray());
        Signature jdk = Signature.getInstance("Ed25519");
        jdk.initVerify(KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki)));
        jdk.update(MESSAGE);
        assertThat(jdk.verify(sig)).isTrue();
    }

    @Test
    void rejectsTamperedEd25519SignatureAndMessage() {
        Ed25519KeyPair key = Ed25519KeyPair.fromSeed(new byte[32]);
        byte[] sig = key.sign(MESSAGE);
        byte[] bad = sig.clone();
        bad[5] ^= 1;
        assertThat(SignatureVerifier.verify(key.publicKey(), MESSAGE, bad)).isFalse();
        assertThat(SignatureVerifier.verify(key.publicKey(), "other".getBytes(StandardCharsets.UTF_8), sig)).isFalse();
        assertThat(SignatureVerifier.verify(key.publicKey(), MESSAGE, Arrays.copyOf(sig, 63))).isFalse();
    }

    @Test
    void p256SignaturesAreLowSAndVerifyWithJdk() throws Exception {
        EcdsaP256KeyPair key = EcdsaP256KeyPair.fromScalar(BigIntegers.asUnsignedByteArray(32, BigInteger.valueOf(123456789)));
        for (int i = 0; i < 20; i++) {
            byte[] msg = ("m" + i).getBytes(StandardCharsets.UTF_8);
            byte[] sig = key.sign(msg);
            assertThat(new BigInteger(1, Arrays.copyOfRange(sig, 32, 64))).isLessThanOrEqualTo(P256.HALF_N);
            assertThat(SignatureVerifier.verify(key.publicKey(), msg, sig)).isTrue();
        }
        byte[] sig = key.sign(MESSAGE);
        Signature jdk = Signature.getInstance("SHA256withECDSAinP1363Format");
        org.bouncycastle.math.ec.ECPoint q = P256.CURVE.getCurve().decodePoint(key.publicKey().getKey().toByteArray());
        java.security.spec.ECPoint w = new java.security.spec.ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
        java.security.AlgorithmParameters params = java.security.AlgorithmParameters.getInstance("EC");
        params.init(new java.security.spec.ECGenParameterSpec("secp256r1"));
        java.security.spec.ECParameterSpec spec = params.getParameterSpec(java.security.spec.ECParameterSpec.class);
        jdk.initVerify(KeyFactory.getInstance("EC").generatePublic(new java.security.spec.ECPublicKeySpec(w, spec)));
        jdk.update(MESSAGE);
        assertThat(jdk.verify(sig)).isTrue();
    }

    @Test
    void rejectsHighSFormOfAValidP256Signature() {
        EcdsaP256KeyPair key = EcdsaP256KeyPair.fromScalar(BigIntegers.asUnsignedByteArray(32, BigInteger.valueOf(42)));
        byte[] sig = key.sign(MESSAGE);
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
        byte[] high = sig.clone();
        BigIntegers.asUnsignedByteArray(P256.N.subtract(s), high, 32, 32);
        assertThat(SignatureVerifier.verify(key.publicKey(), MESSAGE, high)).isFalse();
    }

    @Test
    void validateKeyRejectsMalformedKeys() {
        PublicKey shortEd = PublicKey.newBuilder().setType(KeyType.KEY_TYPE_ED25519).setKey(ByteString.copyFrom(new byte[31])).build();
        PublicKey offCurve = PublicKey.newBuilder().setType(KeyType.KEY_TYPE_ECDSA_P256)
                .setKey(ByteString.copyFrom(HexFormat.of().parseHex("02" + "ff".repeat(32)))).build();
        PublicKey unknown = PublicKey.newBuilder().setTypeValue(9).setKey(ByteString.copyFrom(new byte[32])).build();
        for (PublicKey k : new PublicKey[] {shortEd, offCurve, unknown}) {
            assertThatThrownBy(() -> SignatureVerifier.validateKey(k)).isInstanceOf(Rejection.class);
            assertThat(SignatureVerifier.verify(k, MESSAGE, new byte[64])).isFalse();
        }
    }

    @Test
    void cacheRemembersOnlyValidSignatures() {
        VerifiedSignatureCache cache = new VerifiedSignatureCache(2);
        Ed25519KeyPair key = Ed25519KeyPair.fromSeed(new byte[32]);
        byte[] sig = key.sign(MESSAGE);
        byte[] bad = sig.clone();
        bad[0] ^= 1;
        assertThat(cache.verify(key.publicKey(), MESSAGE, bad)).isFalse();
        assertThat(cache.size()).isZero();
        assertThat(cache.verify(key.publicKey(), MESSAGE, sig)).isTrue();
        assertThat(cache.verify(key.publicKey(), MESSAGE, sig)).isTrue();
        assertThat(cache.size()).isEqualTo(1);
        cache.verify(key.publicKey(), new byte[] {1}, key.sign(new byte[] {1}));
        cache.verify(key.publicKey(), new byte[] {2}, key.sign(new byte[] {2}));
        assertThat(cache.size()).isEqualTo(2);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
