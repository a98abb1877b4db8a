package dev.teeledger.testkit.swtpm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teeledger.protocol.tpm.AkPolicy;
import dev.teeledger.protocol.tpm.CertifyVerifier;
import dev.teeledger.protocol.tpm.PcrSelection;
import dev.teeledger.protocol.tpm.TpmAlg;
import dev.teeledger.protocol.tpm.TpmEvidenceException;
import dev.teeledger.protocol.tpm.TpmSignatureVerifier;
import dev.teeledger.protocol.tpm.TpmsAttest;
import dev.teeledger.protocol.tpm.TpmtSignature;
import dev.teeledger.protocol.x509.EkCertificateException;
import dev.teeledger.protocol.x509.EkCertificateVerifier;
import dev.teeledger.protocol.x509.HsmId;
import dev.teeledger.protocol.x509.VerifiedEkCertificate;
import dev.teeledger.testkit.swtpm.SwtpmFixture.AkAlgorithm;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Random;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The protocol verifiers against real swtpm evidence: three TPMs (two with RSA AKs, one with an
 * ECC P-256 AK) sharing one swtpm_localca root, as nodes of one manufacturer would.
 */
class SwtpmEvidenceIT {

    private static final Instant INSIDE = Instant.parse("5000-01-01T00:00:00Z");

    private static SwtpmFixture fixture;
    private static EkCertificateVerifier verifier;

    @BeforeAll
    static void provision() throws Exception {
        fixture = SwtpmFixture.start(AkAlgorithm.RSA, AkAlgorithm.RSA, AkAlgorithm.ECC);
        verifier = new EkCertificateVerifier(List.of(fixture.rootCertificate()));
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void ekCertificatesValidateToLocalCaRootNowAndInsideValidity() throws Exception {
        for (ProvisionedTpm tpm : fixture.tpms()) {
            List<byte[]> chain = List.of(tpm.intermediateCertificate());
            VerifiedEkCertificate now = verifier.verify(tpm.ekCertificate(), chain, tpm.ek(), Instant.now());
            VerifiedEkCertificate later = verifier.verify(tpm.ekCertificate(), chain, tpm.ek(), INSIDE);
            assertThat(now.hsmId()).isEqualTo(later.hsmId()).isEqualTo(HsmId.of(tpm.ekCertificate()));
            assertThat(now.tpmModel()).isEqualTo("swtpm");
            assertThat(tpm.ek().subjectPublicKeyInfo()).isEqualTo(
                    new org.bouncycastle.cert.X509CertificateHolder(tpm.ekCertificate()).getSubjectPublicKeyInfo().getEncoded());
        }
        assertThat(HsmId.of(fixture.tpm(0).ekCertificate())).isNotEqualTo(HsmId.of(fixture.tpm(1).ekCertificate()));
    }

    @Test
    void ekCertificateFailsForAnotherRootAndOutsideValidity() throws Exception {
        ProvisionedTpm tpm = fixture.tpm(0);
        List<byte[]> chain = List.of(tpm.intermediateCertificate());
        EkCertificateVerifier other = new EkCertificateVerifier(List.of(selfSignedRoot("swtpm-localca-rootca")));
        expectEk(() -> other.verify(tpm.ekCertificate(), chain, tpm.ek(), INSIDE), EkCertificateException.Reason.UNKNOWN_ISSUER);
        expectEk(() -> verifier.verify(tpm.ekCertificate(), chain, tpm.ek(), Instant.parse("+10000-01-01T00:00:00Z")),
                EkCertificateException.Reason.EXPIRED);
        expectEk(() -> verifier.verify(tpm.ekCertificate(), chain, tpm.ek(), Instant.parse("2000-01-01T00:00:00Z")),
                EkCertificateException.Reason.NOT_YET_VALID);
        expectEk(() -> verifier.verify(tpm.ekCertificate(), chain, fixture.tpm(1).ek(), INSIDE),
                EkCertificateException.Reason.KEY_MISMATCH);
    }

    @Test
    void realAksPassPolicyAndNodeKeyDoesNot() {
        for (ProvisionedTpm tpm : fixture.tpms()) {
            assertThatCode(() -> AkPolicy.check(tpm.ak())).doesNotThrowAnyException();
            assertThatThrownBy(() -> AkPolicy.check(tpm.nodeKey())).isInstanceOfSatisfying(TpmEvidenceException.class,
                    e -> assertThat(e.reason()).isEqualTo(TpmEvidenceException.Reason.AK_NOT_RESTRICTED));
        }
        assertThat(fixture.tpm(2).ak().type()).isEqualTo(TpmAlg.ECC);
        assertThat(fixture.tpm(2).ak().curve()).isEqualTo(TpmAlg.CURVE_NIST_P256);
        assertThat(fixture.tpm(0).ak().type()).isEqualTo(TpmAlg.RSA);
    }

    @Test
    void akNameMatchesTheNameTpm2CreateakReported() throws Exception {
        for (ProvisionedTpm tpm : fixture.tpms()) {
            assertThat(tpm.ak().name()).isEqualTo(java.nio.file.Files.readAllBytes(tpm.dir().resolve("ak.name")));
        }
    }

    @Test
    void certifyEvidenceVerifies() throws Exception {
        for (ProvisionedTpm tpm : fixture.tpms()) {
            TpmsAttest s = CertifyVerifier.verify(tpm.ak(), tpm.nodeKey(), tpm.certifyAttest(), tpm.certifySignature(), null);
            assertThat(s.certifiedName()).isEqualTo(tpm.nodeKey().name());
        }
    }

    @Test
    void certifyFailsOverAnotherKeyOrWithAnotherAk() {
        ProvisionedTpm a = fixture.tpm(0);
        ProvisionedTpm b = fixture.tpm(1);
        expectCertify(() -> CertifyVerifier.verify(a.ak(), b.nodeKey(), a.certifyAttest(), a.certifySignature(), null),
                TpmEvidenceException.Reason.CERTIFIED_NAME_MISMATCH);
        expectCertify(() -> CertifyVerifier.verify(b.ak(), a.nodeKey(), a.certifyAttest(), a.certifySignature(), null),
                TpmEvidenceException.Reason.BAD_SIGNATURE);
        // b's own statement about its own key, presented as a's: a's AK did not sign it.
        expectCertify(() -> CertifyVerifier.verify(a.ak(), b.nodeKey(), b.certifyAttest(), b.certifySignature(), null),
                TpmEvidenceException.Reason.BAD_SIGNATURE);
    }

    @Test
    void certifyFailsWithFlippedBytes() {
        Random rnd = new Random(7);
        for (ProvisionedTpm tpm : fixture.tpms()) {
            for (int i = 0; i < 20; i++) {
                byte[] attest = tpm.certifyAttest();
                attest[rnd.nextInt(attest.length)] ^= (byte) (1 << rnd.nextInt(8));
                assertThatThrownBy(() -> CertifyVerifier.verify(tpm.ak(), tpm.nodeKey(), attest, tpm.certifySignature(), null))
                        .isInstanceOf(TpmEvidenceException.class);
                byte[] sig = tpm.certifySignature();
                // Past the sigAlg/hash header so the flip lands in signature material.
                sig[4 + rnd.nextInt(sig.length - 4)] ^= (byte) (1 << rnd.nextInt(8));
                assertThatThrownBy(() -> CertifyVerifier.verify(tpm.ak(), tpm.nodeKey(), tpm.certifyAttest(), sig, null))
                        .isInstanceOf(TpmEvidenceException.class);
            }
        }
    }

    @Test
    void quoteParsesAndVerifiesAndCheckquoteAgrees() throws Exception {
        byte[] nonce = new byte[32];
        new Random(42).nextBytes(nonce);
        for (ProvisionedTpm tpm : fixture.tpms()) {
            TpmQuote q = fixture.quote(tpm, nonce, "sha256:0,1,2,3,7");
            TpmsAttest attest = TpmsAttest.parse(q.attest());
            assertThat(attest.magic()).isEqualTo(TpmsAttest.TPM_GENERATED_VALUE);
            assertThat(attest.type()).isEqualTo(TpmsAttest.ATTEST_QUOTE);
            assertThat(attest.extraData()).isEqualTo(nonce);
            assertThat(attest.safe()).isTrue();
            assertThat(attest.pcrSelections()).containsExactly(new PcrSelection(TpmAlg.SHA256, new byte[] {(byte) 0x8f, 0, 0}));
            TpmtSignature sig = TpmtSignature.parse(q.signature());
            assertThat(TpmSignatureVerifier.verify(tpm.ak(), q.attest(), sig)).isTrue();
            assertThat(fixture.checkQuote(tpm, q.attest(), q.signature(), q.pcrs(), nonce)).isTrue();

            byte[] tampered = q.attest();
            tampered[tampered.length - 1] ^= 1;
            assertThat(TpmSignatureVerifier.verify(tpm.ak(), tampered, sig)).isFalse();
            assertThat(fixture.checkQuote(tpm, tampered, q.signature(), q.pcrs(), nonce)).isFalse();
            byte[] otherNonce = nonce.clone();
            otherNonce[0] ^= 1;
            assertThat(fixture.checkQuote(tpm, q.attest(), q.signature(), q.pcrs(), otherNonce)).isFalse();
        }
        // The ECC AK's quote is not valid under an RSA AK, and vice versa.
        TpmQuote ecc = fixture.quote(fixture.tpm(2), nonce, "sha256:0");
        assertThat(TpmSignatureVerifier.verify(fixture.tpm(0).ak(), ecc.attest(), TpmtSignature.parse(ecc.signature()))).isFalse();
    }

    private static byte[] selfSignedRoot(String cn) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair kp = g.generateKeyPair();
        X500Name name = new X500Name("CN=" + cn);
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.ONE,
                Date.from(Instant.parse("2020-01-01T00:00:00Z")), Date.from(Instant.parse("9000-01-01T00:00:00Z")),
                name, kp.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        return b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
    }

    private static void expectEk(EkCall call, EkCertificateException.Reason reason) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(EkCertificateException.class,
                e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason));
    }

    private static void expectCertify(EvidenceCall call, TpmEvidenceException.Reason reason) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(TpmEvidenceException.class,
                e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason));
    }

    @FunctionalInterface
    interface EkCall {
        Object run() throws Exception;
    }

    @FunctionalInterface
    interface EvidenceCall {
        Object run() throws Exception;
    }
}
