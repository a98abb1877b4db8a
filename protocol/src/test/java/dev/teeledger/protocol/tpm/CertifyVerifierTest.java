package dev.teeledger.protocol.tpm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teeledger.protocol.tpm.TpmEvidenceException.Reason;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class CertifyVerifierTest {

    @Test
    void verifiesRealCertifyByRsaAk() throws Exception {
        TpmsAttest s = CertifyVerifier.verify(Captured.pub("a-ak.pub"), Captured.pub("a-node.pub"),
                Captured.bytes("a-certify.attest"), Captured.bytes("a-certify.sig"), Captured.CERTIFY_EXTRA_DATA);
        assertThat(s.certifiedName()).isEqualTo(Captured.pub("a-node.pub").name());
    }

    @Test
    void verifiesRealCertifyByEccAk() throws Exception {
        CertifyVerifier.verify(Captured.pub("b-ak.pub"), Captured.pub("b-node.pub"),
                Captured.bytes("b-certify.attest"), Captured.bytes("b-certify.sig"), null);
    }

    @Test
    void rejectsStatementOverAnotherKey() {
        expect(Captured.pub("a-ak.pub"), Captured.pub("b-node.pub"), Captured.bytes("a-certify.attest"),
                Captured.bytes("a-certify.sig"), Reason.CERTIFIED_NAME_MISMATCH);
    }

    @Test
    void rejectsStatementSignedByAnotherAk() throws Exception {
        // An RSASSA-SHA256 AK of the same shape as a's but with another modulus (b's EK modulus).
        BigInteger other = Captured.pub("b-ek.pub").rsaModulus();
        TpmtPublic otherAk = TpmtPublic.parse(TpmStructures.rsa(TpmStructures.AK_ATTRIBUTES, TpmAlg.RSASSA, 2048, other));
        expect(otherAk, Captured.pub("a-node.pub"), Captured.bytes("a-certify.attest"),
                Captured.bytes("a-certify.sig"), Reason.BAD_SIGNATURE);
        // b's ECC AK cannot have produced an RSA signature at all.
        expect(Captured.pub("b-ak.pub"), Captured.pub("a-node.pub"), Captured.bytes("a-certify.attest"),
                Captured.bytes("a-certify.sig"), Reason.SCHEME_MISMATCH);
    }

    @Test
    void rejectsEveryFlippedAttestByte() {
        byte[] attest = Captured.bytes("b-certify.attest");
        for (int i = 0; i < attest.length; i++) {
            byte[] flipped = attest.clone();
            flipped[i] ^= 0x01;
            assertThatThrownBy(() -> CertifyVerifier.verify(Captured.pub("b-ak.pub"), Captured.pub("b-node.pub"),
                    flipped, Captured.bytes("b-certify.sig"), null)).isInstanceOf(TpmEvidenceException.class);
        }
    }

    @Test
    void rejectsEveryFlippedSignatureByte() {
        byte[] sig = Captured.bytes("a-certify.sig");
        for (int i = 0; i < sig.length; i++) {
            byte[] flipped = sig.clone();
            flipped[i] ^= 0x40;
            assertThatThrownBy(() -> CertifyVerifier.verify(Captured.pub("a-ak.pub"), Captured.pub("a-node.pub"),
                    Captured.bytes("a-certify.attest"), flipped, null)).isInstanceOf(TpmEvidenceException.class);
        }
        byte[] tail = sig.clone();
        tail[sig.length - 1] ^= 0x01;
        expect(Captured.pub("a-ak.pub"), Captured.pub("a-node.pub"), Captured.bytes("a-certify.attest"), tail,
                Reason.BAD_SIGNATURE);
    }

    @Test
    void rejectsBadMagic() {
        byte[] attest = Captured.bytes("a-certify.attest");
        attest[0] = 0x00;
        expect(Captured.pub("a-ak.pub"), Captured.pub("a-node.pub"), attest, Captured.bytes("a-certify.sig"),
                Reason.BAD_MAGIC);
    }

    @Test
    void rejectsQuoteOfferedAsCertify() {
        expect(Captured.pub("a-ak.pub"), Captured.pub("a-node.pub"), Captured.bytes("a-quote.attest"),
                Captured.bytes("a-quote.sig"), Reason.WRONG_ATTEST_TYPE);
    }

    @Test
    void rejectsUnexpectedExtraData() {
        assertThatThrownBy(() -> CertifyVerifier.verify(Captured.pub("a-ak.pub"), Captured.pub("a-node.pub"),
                Captured.bytes("a-certify.attest"), Captured.bytes("a-certify.sig"), new byte[] {1, 2, 3, 4}))
                .isInstanceOfSatisfying(TpmEvidenceException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.EXTRA_DATA_MISMATCH));
    }

    @Test
    void rejectsUnparsableEvidence() {
        expect(Captured.pub("a-ak.pub"), Captured.pub("a-node.pub"), new byte[3], Captured.bytes("a-certify.sig"),
                Reason.MALFORMED);
        expect(Captured.pub("a-ak.pub"), Captured.pub("a-node.pub"), Captured.bytes("a-certify.attest"), new byte[3],
                Reason.MALFORMED);
    }

    private static void expect(TpmtPublic ak, TpmtPublic key, byte[] attest, byte[] sig, Reason reason) {
        assertThatThrownBy(() -> CertifyVerifier.verify(ak, key, attest, sig, null))
                .isInstanceOfSatisfying(TpmEvidenceException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }
}
