package dev.teeledger.abci.registry;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Self-signed P-256 test roots built with BouncyCastle, for the root-certificate rules. */
final class TestCerts {
    static final Instant NOT_BEFORE = Instant.parse("2025-01-01T00:00:00Z");
    static final Instant NOT_AFTER = Instant.parse("2035-01-01T00:00:00Z");

    private TestCerts() {}

    static KeyPair p256() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    static byte[] root(String cn) throws Exception {
        return selfSigned(p256(), cn, true, NOT_BEFORE, NOT_AFTER);
    }

    /** A test manufacturer CA that issues EK certificates shaped like swtpm's (TCG EK profile). */
    record Ca(KeyPair keys, byte[] der) {
        static Ca create(String cn) throws Exception {
            KeyPair kp = p256();
            return new Ca(kp, selfSigned(kp, cn, true, NOT_BEFORE, NOT_AFTER));
        }

        byte[] issueEk(byte[] ekSpki, boolean eku, Instant notBefore, Instant notAfter) throws Exception {
            X509CertificateHolder issuer = new X509CertificateHolder(der);
            SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(ekSpki);
            X509v3CertificateBuilder b = new X509v3CertificateBuilder(issuer.getSubject(), BigInteger.TWO,
                    Date.from(notBefore), Date.from(notAfter), new X500Name(new RDN[0]), spki);
            JcaX509ExtensionUtils u = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            boolean rsa = spki.getAlgorithm().getAlgorithm().equals(PKCSObjectIdentifiers.rsaEncryption);
            b.addExtension(Extension.keyUsage, true, new KeyUsage(rsa ? KeyUsage.keyEncipherment : KeyUsage.keyAgreement));
            b.addExtension(Extension.authorityKeyIdentifier, false, u.createAuthorityKeyIdentifier(issuer.getSubjectPublicKeyInfo()));
            if (eku) {
                b.addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(KeyPurposeId.getInstance(new ASN1ObjectIdentifier("2.23.133.8.1"))));
            }
            X500NameBuilder nb = new X500NameBuilder();
            nb.addRDN(new ASN1ObjectIdentifier("2.23.133.2.1"), new DERUTF8String("id:54455354"));
            nb.addRDN(new ASN1ObjectIdentifier("2.23.133.2.2"), new DERUTF8String("TestHSM"));
            nb.addRDN(new ASN1ObjectIdentifier("2.23.133.2.3"), new DERUTF8String("id:00010002"));
            b.addExtension(Extension.subjectAlternativeName, true, new GeneralNames(new GeneralName(GeneralName.directoryName, nb.build())));
            return b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())).getEncoded();
        }
    }

    static byte[] selfSigned(KeyPair kp, String cn, boolean ca, Instant notBefore, Instant notAfter) throws Exception {
        X500Name name = new X500Name("CN=" + cn);
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(kp.getPublic().getEncoded());
        X509v3CertificateBuilder b = new X509v3CertificateBuilder(name, BigInteger.ONE,
                Date.from(notBefore), Date.from(notAfter), name, spki);
        JcaX509ExtensionUtils u = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        b.addExtension(Extension.subjectKeyIdentifier, false, u.createSubjectKeyIdentifier(spki));
        return b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
    }
}
