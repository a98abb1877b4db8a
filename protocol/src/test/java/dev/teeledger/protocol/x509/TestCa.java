package dev.teeledger.protocol.x509;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throw-away ECDSA P-256 certificate authority for EK profile cases swtpm_localca will not produce. */
final class TestCa {

    static final Instant NOT_BEFORE = Instant.parse("2025-01-01T00:00:00Z");
    static final Instant NOT_AFTER = Instant.parse("2035-01-01T00:00:00Z");

    final KeyPair keys;
    final X509CertificateHolder cert;
    private long serial = 1;

    private TestCa(KeyPair keys, X509CertificateHolder cert) {
        this.keys = keys;
        this.cert = cert;
    }

    static KeyPair p256() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    static TestCa root(String cn) throws Exception {
        return root(cn, NOT_BEFORE, NOT_AFTER);
    }

    static TestCa root(String cn, Instant notBefore, Instant notAfter) throws Exception {
        KeyPair kp = p256();
        X500Name name = new X500Name("CN=" + cn);
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(kp.getPublic().getEncoded());
        X509v3CertificateBuilder b = new X509v3CertificateBuilder(name, BigInteger.ONE,
                Date.from(notBefore), Date.from(notAfter), name, spki);
        JcaX509ExtensionUtils u = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        b.addExtension(Extension.subjectKeyIdentifier, false, u.createSubjectKeyIdentifier(spki));
        return new TestCa(kp, b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
    }

    /** An intermediate CA signed by this CA ({@code ca=false} makes a broken one). */
    TestCa intermediate(String cn, boolean ca, Instant notBefore, Instant notAfter) throws Exception {
        KeyPair kp = p256();
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(kp.getPublic().getEncoded());
        X509v3CertificateBuilder b = new X509v3CertificateBuilder(cert.getSubject(), BigInteger.valueOf(++serial),
                Date.from(notBefore), Date.from(notAfter), new X500Name("CN=" + cn), spki);
        JcaX509ExtensionUtils u = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        b.addExtension(Extension.subjectKeyIdentifier, false, u.createSubjectKeyIdentifier(spki));
        b.addExtension(Extension.authorityKeyIdentifier, false,
                u.createAuthorityKeyIdentifier(cert.getSubjectPublicKeyInfo()));
        return new TestCa(kp, b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }

    /** What goes into a test EK certificate. */
    record EkProfile(boolean eku, boolean san, boolean sanComplete, int keyUsage, boolean unknownCritical,
            Instant notBefore, Instant notAfter) {

        static EkProfile rsa() {
            return new EkProfile(true, true, true, KeyUsage.keyEncipherment, false, NOT_BEFORE, NOT_AFTER);
        }

        static EkProfile ecc() {
            return new EkProfile(true, true, true, KeyUsage.keyAgreement, false, NOT_BEFORE, NOT_AFTER);
        }

        EkProfile withEku(boolean v) {
            return new EkProfile(v, san, sanComplete, keyUsage, unknownCritical, notBefore, notAfter);
        }

        EkProfile withSan(boolean v, boolean complete) {
            return new EkProfile(eku, v, complete, keyUsage, unknownCritical, notBefore, notAfter);
        }

        EkProfile withKeyUsage(int v) {
            return new EkProfile(eku, san, sanComplete, v, unknownCritical, notBefore, notAfter);
        }

        EkProfile withUnknownCritical() {
            return new EkProfile(eku, san, sanComplete, keyUsage, true, notBefore, notAfter);
        }
    }

    /** An EK certificate for {@code ekSpki} (DER SubjectPublicKeyInfo), shaped like swtpm's. */
    byte[] issueEk(byte[] ekSpki, EkProfile p) throws Exception {
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(ekSpki);
        X509v3CertificateBuilder b = new X509v3CertificateBuilder(cert.getSubject(), BigInteger.valueOf(++serial),
                Date.from(p.notBefore()), Date.from(p.notAfter()), new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), spki);
        JcaX509ExtensionUtils u = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(p.keyUsage()));
        b.addExtension(Extension.authorityKeyIdentifier, false,
                u.createAuthorityKeyIdentifier(cert.getSubjectPublicKeyInfo()));
        if (p.eku()) {
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(KeyPurposeId.getInstance(new ASN1ObjectIdentifier("2.23.133.8.1"))));
        }
        if (p.san()) {
            X500NameBuilder nb = new X500NameBuilder();
            nb.addRDN(new ASN1ObjectIdentifier("2.23.133.2.1"), new DERUTF8String("id:54455354"));
            if (p.sanComplete()) {
                nb.addRDN(new ASN1ObjectIdentifier("2.23.133.2.2"), new DERUTF8String("TestHSM"));
                nb.addRDN(new ASN1ObjectIdentifier("2.23.133.2.3"), new DERUTF8String("id:00010002"));
            }
            b.addExtension(Extension.subjectAlternativeName, true,
                    new GeneralNames(new GeneralName(GeneralName.directoryName, nb.build())));
        }
        if (p.unknownCritical()) {
            b.addExtension(new ASN1ObjectIdentifier("1.3.6.1.4.1.55555.1"), true, new DERUTF8String("x"));
        }
        return b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())).getEncoded();
    }

    byte[] der() throws Exception {
        return cert.getEncoded();
    }
}
