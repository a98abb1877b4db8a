package dev.teeledger.sidecar.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teeledger.abci.hsm.VrfKeyBinding;
import dev.teeledger.protocol.sig.P256;
import java.math.BigInteger;
import java.util.Random;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.math.ec.ECPoint;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Pins the sidecar's copy of the VRF key binding to the chain's (abci-app VrfKeyBinding). */
class VrfKeyEndorsementTest {

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void messageAndSignatureAreWhatTheChainChecks(long seed) {
        Random random = new Random(seed);
        byte[] chain = new byte[1 + random.nextInt(40)];
        for (int i = 0; i < chain.length; i++) {
            chain[i] = (byte) ('a' + random.nextInt(26));
        }
        String chainId = new String(chain, java.nio.charset.StandardCharsets.US_ASCII);
        byte[] hsmId = new byte[32];
        byte[] vrfKey = new byte[33];
        random.nextBytes(hsmId);
        random.nextBytes(vrfKey);

        byte[] message = VrfKeyEndorsement.message(chainId, hsmId, vrfKey);
        assertThat(message).isEqualTo(VrfKeyBinding.message(chainId, hsmId, vrfKey));

        BigInteger d = new BigInteger(250, random).add(BigInteger.ONE);
        ECPoint q = P256.G.multiply(d).normalize();
        ECDSASigner signer = new ECDSASigner();
        signer.init(true, new org.bouncycastle.crypto.params.ParametersWithRandom(
                new ECPrivateKeyParameters(d, P256.DOMAIN), new java.security.SecureRandom()));
        BigInteger[] rs = signer.generateSignature(VrfKeyEndorsement.digest(chainId, hsmId, vrfKey));
        assertThat(VrfKeyEndorsement.verifies(q, VrfKeyEndorsement.digest(chainId, hsmId, vrfKey), rs[0], rs[1])).isTrue();
        assertThat(VrfKeyBinding.verify(q, message, VrfKeyEndorsement.der(rs[0], rs[1]))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {256, 300})
    void rejectsAChainIdOver255Bytes(int length) {
        assertThatThrownBy(() -> VrfKeyEndorsement.message("x".repeat(length), new byte[32], new byte[33]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
