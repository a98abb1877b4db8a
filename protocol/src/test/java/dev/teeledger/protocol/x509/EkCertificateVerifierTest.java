package dev.teeledger.protocol.x509;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teeledger.protocol.tpm.Captured;
import dev.teeledger.protocol.tpm.TpmtPublic;
import dev.teeledger.protocol.x509.EkCertificateException.Reason;
import dev.teeledger.protocol.x509.TestCa.EkProfile;
import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EkCertificateVerifierTest {

    /** Inside the validity of the captured swtpm chain (issued 2026-11-28, valid to 9999). */
    static final Instant INSIDE = Instant.parse("2027-06-01T12:00:00Z");

    static byte[] root;
    static byte[] intermediate;
    static byte[] ekA;
    static TpmtPublic ekPubA;
    static TpmtPublic ekPubB;
    static EkCertificateVerifier swtpmRoots;
    static TestCa testCa;
    static EkCertificateVerifier testRoots;

    @BeforeAll
    static void load() throws Exception {
        root = Captured.bytes("root.der");
        intermediate = Captured.bytes("intermediate.der");
        ekA = Captured.bytes("a-ek.der");
        ekPubA = Captured.pub("a-ek.pub");
        ekPubB = Captured.pub("b-ek.pub");
        swtpmRoots = new EkCertificateVerifier(List.of(root));
        testCa = TestCa.root("Test TPM Manufacturer Root");
        testRoots = new EkCertificateVerifier(List.of(testCa.der()));
    }

    @Test
    void validatesSwtpmEkCertificateToLocalCaRoot() throws Exception {
        VerifiedEkCertificate v = swtpmRoots.verify(ekA, List.of(intermediate), ekPubA, INSIDE);
        assertThat(v.tpmManufacturer()).isEqualTo("id:00001014");
        assertThat(v.tpmModel()).isEqualTo("swtpm");
        assertThat(v.tpmVersion()).isEqualTo("id:20191023");
        assertThat(v.anchorSubject()).isEqualTo("CN=swtpm-localca-rootca");
        assertThat(v.certificate()).isEqualTo(ekA);
        assertThat(v.hsmId()).isEqualTo(HsmId.of(ekA));
    }

    @Test
    void certificateKeyEqualsEkPublicArea() throws Exception {
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(ekA));
        assertThat(cert.getPublicKey().getEncoded()).isEqualTo(ekPubA.subjectPublicKeyInfo());
        assertThat(cert.getPublicKey()).isEqualTo(ekPubA.toJcaPublicKey());
    }

    @Test
    void hsmIdIsSha256OfSubjectPublicKeyInfo() throws Exception {
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(ekA));
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded());
        assertThat(HsmId.of(ekA).value()).isEqualTo(expected);
        assertThat(HsmId.of(cert)).isEqualTo(HsmId.of(ekA));
        assertThat(HsmId.of(ekA)).isNotEqualTo(HsmId.of(Captured.bytes("b-ek.der")));
        assertThat(HsmId.of(ekA).hex()).hasSize(64);
    }

    @Test
    void acceptsTcgNvPrefix() throws Exception {
        byte[] prefixed = new byte[ekA.length + 5];
        prefixed[0] = 0x10;
        prefixed[1] = 0x01;
        prefixed[2] = 0x00;
        prefixed[3] = (byte) (ekA.length >>> 8);
        prefixed[4] = (byte) ekA.length;
        System.arraycopy(ekA, 0, prefixed, 5, ekA.length);
        assertThat(swtpmRoots.verify(prefixed, List.of(intermediate), ekPubA, INSIDE).certificate()).isEqualTo(ekA);
        assertThat(HsmId.of(prefixed)).isEqualTo(HsmId.of(ekA));
        prefixed[4]++;
        expect(() -> swtpmRoots.verify(prefixed, List.of(intermediate), ekPubA, INSIDE), Reason.MALFORMED);
    }

    @Test
    void rejectsChainWithoutItsIntermediate() {
        expect(() -> swtpmRoots.verify(ekA, List.of(), ekPubA, INSIDE), Reason.UNKNOWN_ISSUER);
    }

    @Test
    void rejectsAnotherRoot() throws Exception {
        expect(() -> testRoots.verify(ekA, List.of(intermediate), ekPubA, INSIDE), Reason.UNKNOWN_ISSUER);
        // Same subject name as swtpm's root, other key: still not the issuer.
        EkCertificateVerifier impostor = new EkCertificateVerifier(List.of(TestCa.root("swtpm-localca-rootca").der()));
        expect(() -> impostor.verify(ekA, List.of(intermediate), ekPubA, INSIDE), Reason.UNKNOWN_ISSUER);
    }

    @Test
    void rejectsExpiredAndNotYetValidTimes() {
        expect(() -> swtpmRoots.verify(ekA, List.of(intermediate), ekPubA, Instant.parse("+10000-01-01T00:00:00Z")),
                Reason.EXPIRED);
        expect(() -> swtpmRoots.verify(ekA, List.of(intermediate), ekPubA, Instant.parse("2020-01-01T00:00:00Z")),
                Reason.NOT_YET_VALID);
    }

    @Test
    void checksValidityOfEveryCertificateInThePath() throws Exception {
        Instant end = Instant.parse("2028-01-01T00:00:00Z");
        TestCa shortRoot = TestCa.root("Short-lived Root", TestCa.NOT_BEFORE, end);
        TestCa inter = shortRoot.intermediate("Inter", true, TestCa.NOT_BEFORE, TestCa.NOT_AFTER);
        byte[] ek = inter.issueEk(ekPubA.subjectPublicKeyInfo(), EkProfile.rsa());
        EkCertificateVerifier v = new EkCertificateVerifier(List.of(shortRoot.der()));
        v.verify(ek, List.of(inter.der()), ekPubA, Instant.parse("2027-01-01T00:00:00Z"));
        expect(() -> v.verify(ek, List.of(inter.der()), ekPubA, Instant.parse("2029-01-01T00:00:00Z")), Reason.EXPIRED);
    }

    @Test
    void rejectsKeyOfAnotherTpm() {
        expect(() -> swtpmRoots.verify(ekA, List.of(intermediate), ekPubB, INSIDE), Reason.KEY_MISMATCH);
        expect(() -> swtpmRoots.verify(ekA, List.of(intermediate), Captured.pub("a-ak.pub"), INSIDE),
                Reason.KEY_MISMATCH);
    }

    @Test
    void rejectsTamperedSignature() {
        byte[] tampered = ekA.clone();
        tampered[tampered.length - 1] ^= 1;
        expect(() -> swtpmRoots.verify(tampered, List.of(intermediate), ekPubA, INSIDE), Reason.BAD_SIGNATURE);
    }

    @Test
    void acceptsWellFormedTestEkCertificates() throws Exception {
        byte[] rsa = testCa.issueEk(ekPubA.subjectPublicKeyInfo(), EkProfile.rsa());
        VerifiedEkCertificate v = testRoots.verify(rsa, List.of(), ekPubA, INSIDE);
        assertThat(v.tpmModel()).isEqualTo("TestHSM");
        TpmtPublic eccKey = Captured.pub("b-node.pub");
        byte[] ecc = testCa.issueEk(eccKey.subjectPublicKeyInfo(), EkProfile.ecc());
        assertThat(testRoots.verify(ecc, List.of(), eccKey, INSIDE).hsmId()).isEqualTo(HsmId.of(ecc));
    }

    @Test
    void rejectsMissingEkEku() throws Exception {
        byte[] cert = testCa.issueEk(ekPubA.subjectPublicKeyInfo(), EkProfile.rsa().withEku(false));
        expect(() -> testRoots.verify(cert, List.of(), ekPubA, INSIDE), Reason.MISSING_EK_EKU);
    }

    @Test
    void rejectsMissingOrIncompleteTpmSan() throws Exception {
        byte[] none = testCa.issueEk(ekPubA.subjectPublicKeyInfo(), EkProfile.rsa().withSan(false, false));
        expect(() -> testRoots.verify(none, List.of(), ekPubA, INSIDE), Reason.MISSING_TPM_SAN);
        byte[] partial = testCa.issueEk(ekPubA.subjectPublicKeyInfo(), EkProfile.rsa().withSan(true, false));
        expect(() -> testRoots.verify(partial, List.of(), ekPubA, INSIDE), Reason.MISSING_TPM_SAN);
    }

    @Test
    void rejectsWrongKeyUsage() throws Exception {
        byte[] rsa = testCa.issueEk(ekPubA.subjectPublicKeyInfo(), EkProfile.rsa().withKeyUsage(KeyUsage.digitalSignature));
        expect(() -> testRoots.verify(rsa, List.of(), ekPubA, INSIDE), Reason.BAD_KEY_USAGE);
        TpmtPublic eccKey = Captured.pub("b-node.pub");
        byte[] ecc = testCa.issueEk(eccKey.subjectPublicKeyInfo(), EkProfile.ecc().withKeyUsage(KeyUsage.keyEncipherment));
        expect(() -> testRoots.verify(ecc, List.of(), eccKey, INSIDE), Reason.BAD_KEY_USAGE);
    }

    @Test
    void rejectsCertificateForSwappedKey() throws Exception {
        byte[] cert = testCa.issueEk(ekPubB.subjectPublicKeyInfo(), EkProfile.rsa());
        expect(() -> testRoots.verify(cert, List.of(), ekPubA, INSIDE), Reason.KEY_MISMATCH);
        TpmtPublic eccKey = Captured.pub("b-node.pub");
        byte[] ecc = testCa.issueEk(eccKey.subjectPublicKeyInfo(), EkProfile.ecc());
        expect(() -> testRoots.verify(ecc, List.of(), Captured.pub("a-node.pub"), INSIDE), Reason.KEY_MISMATCH);
        expect(() -> testRoots.verify(ecc, List.of(), ekPubA, INSIDE), Reason.KEY_MISMATCH);
    }

    @Test
    void rejectsPathBreakingRfc5280Rules() throws Exception {
        byte[] unknownCritical = testCa.issueEk(ekPubA.subjectPublicKeyInfo(), EkProfile.rsa().withUnknownCritical());
        expect(() -> testRoots.verify(unknownCritical, List.of(), ekPubA, INSIDE), Reason.INVALID_PATH);
        TestCa notCa = testCa.intermediate("Not a CA", false, TestCa.NOT_BEFORE, TestCa.NOT_AFTER);
        byte[] ek = notCa.issueEk(ekPubA.subjectPublicKeyInfo(), EkProfile.rsa());
        expect(() -> testRoots.verify(ek, List.of(notCa.der()), ekPubA, INSIDE), Reason.INVALID_PATH);
    }

    @Test
    void rejectsMalformedDer() {
        expect(() -> swtpmRoots.verify(new byte[0], List.of(intermediate), ekPubA, INSIDE), Reason.MALFORMED);
        expect(() -> swtpmRoots.verify(null, List.of(intermediate), ekPubA, INSIDE), Reason.MALFORMED);
        expect(() -> swtpmRoots.verify(Arrays.copyOf(ekA, ekA.length + 1), List.of(intermediate), ekPubA, INSIDE),
                Reason.MALFORMED);
        for (int len = 0; len < ekA.length; len += 7) {
            byte[] cut = Arrays.copyOf(ekA, len);
            expect(() -> swtpmRoots.verify(cut, List.of(intermediate), ekPubA, INSIDE), Reason.MALFORMED);
        }
        expect(() -> swtpmRoots.verify(ekA, List.of(new byte[] {0x30, 0x00}), ekPubA, INSIDE), Reason.MALFORMED);
        expect(() -> swtpmRoots.verify(new byte[EkCertificateVerifier.MAX_CERT_SIZE + 1], List.of(), ekPubA, INSIDE),
                Reason.MALFORMED);
        assertThatThrownBy(() -> new EkCertificateVerifier(List.of(new byte[] {1, 2, 3})))
                .isInstanceOf(EkCertificateException.class);
    }

    static void expect(Call call, Reason reason) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(EkCertificateException.class,
                e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason));
    }

    @FunctionalInterface
    interface Call {
        Object run() throws Exception;
    }
}
