package dev.teeledger.protocol.x509;

import dev.teeledger.protocol.tpm.TpmAlg;
import dev.teeledger.protocol.tpm.TpmtPublic;
import dev.teeledger.protocol.x509.EkCertificateException.Reason;
import java.io.IOException;
import java.math.BigInteger;
import java.security.Provider;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.nist.NISTNamedCurves;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.path.CertPath;
import org.bouncycastle.cert.path.CertPathValidation;
import org.bouncycastle.cert.path.CertPathValidationResult;
import org.bouncycastle.cert.path.validations.BasicConstraintsValidation;
import org.bouncycastle.cert.path.validations.KeyUsageValidation;
import org.bouncycastle.cert.path.validations.ParentCertIssuedValidation;
import org.bouncycastle.cert.jcajce.JcaX509ContentVerifierProviderBuilder;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;

/**
 * Validates a TPM Endorsement Key certificate the way the registry does at join: against a fixed
 * set of manufacturer roots, at a caller-given time (the block time), without network access or
 * revocation fetches, so every node reaches the same verdict. Nothing here reads the wall clock:
 * validity is compared with the given {@link Instant}, and path rules run through BouncyCastle's
 * clock-free {@code org.bouncycastle.cert.path} validations rather than the JCA PKIX validator.
 *
 * <p>Checks, in order, each with its own {@link Reason}:
 * <ol>
 *   <li>strip an optional TCG NV prefix {@code 10 01 00 <u16 len>} and parse DER (MALFORMED);</li>
 *   <li>build the path: each certificate's issuer is a supplied intermediate or an anchor whose
 *       subject matches its issuer name and whose subject key id matches its authority key id;
 *       none found: UNKNOWN_ISSUER; found but its key does not verify the signature:
 *       BAD_SIGNATURE (an anchor that does not verify counts as UNKNOWN_ISSUER);</li>
 *   <li>the time lies within every certificate's validity, leaf to root (NOT_YET_VALID, EXPIRED);</li>
 *   <li>RFC 5280 path rules: signatures, basicConstraints, CA key usage, no critical extension
 *       left unprocessed (INVALID_PATH);</li>
 *   <li>EK profile (TCG EK Credential Profile 2.0 §3.2): EKU 2.23.133.8.1 (MISSING_EK_EKU);
 *       subjectAltName directoryName with 2.23.133.2.1/2/3 (MISSING_TPM_SAN); keyEncipherment
 *       for RSA, keyAgreement for ECC (BAD_KEY_USAGE);</li>
 *   <li>the certified key equals the EK public area read from the TPM (KEY_MISMATCH).</li>
 * </ol>
 * Immutable and thread-safe after construction.
 */
public final class EkCertificateVerifier {

    /** Largest certificate accepted; EK certificates are about 1 KiB. */
    static final int MAX_CERT_SIZE = 16 * 1024;
    private static final int MAX_CHAIN = 8;
    private static final ASN1ObjectIdentifier EK_EKU = new ASN1ObjectIdentifier("2.23.133.8.1");
    private static final ASN1ObjectIdentifier TPM_MANUFACTURER = new ASN1ObjectIdentifier("2.23.133.2.1");
    private static final ASN1ObjectIdentifier TPM_MODEL = new ASN1ObjectIdentifier("2.23.133.2.2");
    private static final ASN1ObjectIdentifier TPM_VERSION = new ASN1ObjectIdentifier("2.23.133.2.3");
    /** Critical extensions this class processes itself (the BC validations handle BC and KU). */
    private static final Set<ASN1ObjectIdentifier> PROCESSED_HERE =
            Set.of(Extension.subjectAlternativeName, Extension.extendedKeyUsage);
    private static final Provider BC = new BouncyCastleProvider();

    private final List<X509CertificateHolder> anchors;

    /**
     * @param trustAnchors DER certificates of the accepted manufacturer roots
     * @throws EkCertificateException MALFORMED if an anchor does not parse
     */
    public EkCertificateVerifier(List<byte[]> trustAnchors) throws EkCertificateException {
        List<X509CertificateHolder> list = new ArrayList<>();
        for (byte[] der : trustAnchors) {
            list.add(parse(der));
        }
        this.anchors = List.copyOf(list);
    }

    /**
     * Removes the TCG NV-index prefix ({@code 10 01 00} and a big-endian UINT16 length of the
     * certificate that follows) if present (TCG PC Client Platform TPM Profile, EK certificate
     * storage). The length must match the rest exactly.
     */
    public static byte[] stripTcgPrefix(byte[] nv) throws EkCertificateException {
        if (nv == null) {
            throw new EkCertificateException(Reason.MALFORMED, "no certificate bytes");
        }
        if (nv.length >= 5 && nv[0] == 0x10 && nv[1] == 0x01 && nv[2] == 0x00) {
            int len = ((nv[3] & 0xff) << 8) | (nv[4] & 0xff);
            if (len != nv.length - 5) {
                throw new EkCertificateException(Reason.MALFORMED,
                        "TCG prefix announces " + len + " bytes, " + (nv.length - 5) + " follow");
            }
            return Arrays.copyOfRange(nv, 5, nv.length);
        }
        return nv.clone();
    }

    /** Parses one DER certificate; rejects trailing bytes and anything over {@link #MAX_CERT_SIZE}. */
    static X509CertificateHolder parse(byte[] der) throws EkCertificateException {
        if (der == null || der.length == 0) {
            throw new EkCertificateException(Reason.MALFORMED, "empty certificate");
        }
        if (der.length > MAX_CERT_SIZE) {
            throw new EkCertificateException(Reason.MALFORMED, "certificate of " + der.length + " bytes");
        }
        try {
            // fromByteArray refuses data after the outer SEQUENCE.
            ASN1Primitive primitive = ASN1Primitive.fromByteArray(der);
            X509CertificateHolder holder = new X509CertificateHolder(Certificate.getInstance(primitive));
            if (holder.getEncoded().length != der.length) {
                throw new EkCertificateException(Reason.MALFORMED, "not a DER certificate");
            }
            return holder;
        } catch (IOException | RuntimeException e) {
            throw new EkCertificateException(Reason.MALFORMED, "not an X.509 certificate: " + e.getMessage());
        }
    }

    /**
     * Verifies {@code ekCert} as described in the class comment.
     *
     * @param ekCert         EK certificate DER, optionally with the TCG NV prefix
     * @param intermediates  DER certificates that may link the EK certificate to an anchor (any order; null = none)
     * @param ekPublic       the EK public area read from the TPM
     * @param validationTime the time to judge validity at: the block time, never "now"
     */
    public VerifiedEkCertificate verify(byte[] ekCert, List<byte[]> intermediates, TpmtPublic ekPublic,
            Instant validationTime) throws EkCertificateException {
        Objects.requireNonNull(ekPublic, "ekPublic");
        Objects.requireNonNull(validationTime, "validationTime");
        X509CertificateHolder leaf = parse(stripTcgPrefix(ekCert));
        List<X509CertificateHolder> pool = new ArrayList<>();
        for (byte[] der : intermediates == null ? List.<byte[]>of() : intermediates) {
            pool.add(parse(der));
        }
        List<X509CertificateHolder> path = buildPath(leaf, pool);
        checkValidity(path, validationTime);
        checkPathRules(path);
        Extensions ext = leaf.getExtensions();
        ExtendedKeyUsage eku = ext == null ? null : ExtendedKeyUsage.fromExtensions(ext);
        if (eku == null || !eku.hasKeyPurposeId(KeyPurposeId.getInstance(EK_EKU))) {
            throw new EkCertificateException(Reason.MISSING_EK_EKU, "no EKU 2.23.133.8.1 (tcg-kp-EKCertificate)");
        }
        String[] tpm = tpmIdentity(ext);
        checkKey(leaf, ext, ekPublic);
        X509CertificateHolder anchor = path.get(path.size() - 1);
        try {
            return new VerifiedEkCertificate(leaf.getEncoded(),
                    HsmId.ofSpki(leaf.getSubjectPublicKeyInfo().getEncoded("DER")), tpm[0], tpm[1], tpm[2],
                    anchor.getSubject().toString());
        } catch (IOException e) {
            throw new EkCertificateException(Reason.MALFORMED, "cannot encode: " + e.getMessage());
        }
    }

    /** leaf, intermediates..., anchor. */
    private List<X509CertificateHolder> buildPath(X509CertificateHolder leaf, List<X509CertificateHolder> pool)
            throws EkCertificateException {
        List<X509CertificateHolder> path = new ArrayList<>();
        path.add(leaf);
        X509CertificateHolder current = leaf;
        while (path.size() <= MAX_CHAIN) {
            for (X509CertificateHolder anchor : anchors) {
                if (names(current, anchor) && signedBy(current, anchor)) {
                    path.add(anchor);
                    return path;
                }
            }
            X509CertificateHolder next = null;
            boolean named = false;
            for (X509CertificateHolder candidate : pool) {
                if (path.contains(candidate) || !names(current, candidate)) {
                    continue;
                }
                named = true;
                if (signedBy(current, candidate)) {
                    next = candidate;
                    break;
                }
            }
            if (next == null) {
                if (named) {
                    throw new EkCertificateException(Reason.BAD_SIGNATURE,
                            "signature of " + current.getSubject() + " does not verify with its issuer's key");
                }
                throw new EkCertificateException(Reason.UNKNOWN_ISSUER,
                        "no trusted issuer for " + current.getSubject() + " (issuer " + current.getIssuer() + ")");
            }
            path.add(next);
            current = next;
        }
        throw new EkCertificateException(Reason.UNKNOWN_ISSUER, "no anchor within " + MAX_CHAIN + " certificates");
    }

    /** Whether {@code issuer} is the issuer {@code child} names (subject DN, and key id when both carry one). */
    private static boolean names(X509CertificateHolder child, X509CertificateHolder issuer) {
        if (!child.getIssuer().equals(issuer.getSubject())) {
            return false;
        }
        AuthorityKeyIdentifier aki = child.getExtensions() == null ? null
                : AuthorityKeyIdentifier.fromExtensions(child.getExtensions());
        SubjectKeyIdentifier ski = issuer.getExtensions() == null ? null
                : SubjectKeyIdentifier.fromExtensions(issuer.getExtensions());
        if (aki != null && aki.getKeyIdentifier() != null && ski != null) {
            return Arrays.equals(aki.getKeyIdentifier(), ski.getKeyIdentifier());
        }
        return true;
    }

    private static boolean signedBy(X509CertificateHolder child, X509CertificateHolder issuer) {
        try {
            ContentVerifierProvider verifier = new JcaContentVerifierProviderBuilder().setProvider(BC).build(issuer);
            return child.isSignatureValid(verifier);
        } catch (Exception e) {
            // Unsupported or malformed issuer key or signature algorithm: not a valid signature.
            return false;
        }
    }

    private static void checkValidity(List<X509CertificateHolder> path, Instant at) throws EkCertificateException {
        for (X509CertificateHolder cert : path) {
            if (at.isBefore(cert.getNotBefore().toInstant())) {
                throw new EkCertificateException(Reason.NOT_YET_VALID,
                        cert.getSubject() + " is valid from " + cert.getNotBefore().toInstant() + ", time is " + at);
            }
            if (at.isAfter(cert.getNotAfter().toInstant())) {
                throw new EkCertificateException(Reason.EXPIRED,
                        cert.getSubject() + " expired at " + cert.getNotAfter().toInstant() + ", time is " + at);
            }
        }
    }

    private static void checkPathRules(List<X509CertificateHolder> path) throws EkCertificateException {
        X509CertificateHolder[] certs = path.toArray(new X509CertificateHolder[0]);
        CertPathValidationResult result = new CertPath(certs).validate(new CertPathValidation[] {
            new ParentCertIssuedValidation(new JcaX509ContentVerifierProviderBuilder().setProvider(BC)),
            new BasicConstraintsValidation(),
            new KeyUsageValidation()
        });
        // BC also reports "Unhandled Critical Extensions" as a failure of no particular
        // certificate (index -1); those we judge below, so only a rule failure is fatal here.
        if (result.getCause() != null && result.getFailingCertIndex() >= 0) {
            throw new EkCertificateException(Reason.INVALID_PATH,
                    "certificate " + result.getFailingCertIndex() + ": " + result.getCause().getMessage());
        }
        for (Object oid : result.getUnhandledCriticalExtensionOIDs()) {
            if (!PROCESSED_HERE.contains(oid)) {
                throw new EkCertificateException(Reason.INVALID_PATH, "unprocessed critical extension " + oid);
            }
        }
    }

    /** manufacturer, model, version from a directoryName in subjectAltName. */
    private static String[] tpmIdentity(Extensions ext) throws EkCertificateException {
        GeneralNames san = ext == null ? null : GeneralNames.fromExtensions(ext, Extension.subjectAlternativeName);
        if (san != null) {
            for (GeneralName name : san.getNames()) {
                if (name.getTagNo() != GeneralName.directoryName) {
                    continue;
                }
                String[] found = new String[3];
                for (RDN rdn : X500Name.getInstance(name.getName()).getRDNs()) {
                    for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
                        ASN1ObjectIdentifier type = atv.getType();
                        int slot = type.equals(TPM_MANUFACTURER) ? 0 : type.equals(TPM_MODEL) ? 1
                                : type.equals(TPM_VERSION) ? 2 : -1;
                        if (slot >= 0) {
                            found[slot] = stringValue(atv.getValue());
                        }
                    }
                }
                if (found[0] != null && found[1] != null && found[2] != null) {
                    return found;
                }
            }
        }
        throw new EkCertificateException(Reason.MISSING_TPM_SAN,
                "no subjectAltName directoryName with TPM manufacturer, model and version");
    }

    private static String stringValue(ASN1Encodable value) {
        return value instanceof ASN1String s ? s.getString() : value.toString();
    }

    /** Checks key usage and that the certified key equals {@code ekPublic}. */
    private static void checkKey(X509CertificateHolder leaf, Extensions ext, TpmtPublic ekPublic)
            throws EkCertificateException {
        AsymmetricKeyParameter certKey;
        try {
            certKey = PublicKeyFactory.createKey(leaf.getSubjectPublicKeyInfo());
        } catch (IOException | RuntimeException e) {
            throw new EkCertificateException(Reason.MALFORMED, "unsupported certificate key: " + e.getMessage());
        }
        boolean rsa = certKey instanceof RSAKeyParameters;
        KeyUsage ku = ext == null ? null : KeyUsage.fromExtensions(ext);
        int needed = rsa ? KeyUsage.keyEncipherment : KeyUsage.keyAgreement;
        if (ku == null || !ku.hasUsages(needed)) {
            throw new EkCertificateException(Reason.BAD_KEY_USAGE,
                    rsa ? "RSA EK certificate without keyEncipherment" : "ECC EK certificate without keyAgreement");
        }
        if (!sameKey(certKey, ekPublic)) {
            throw new EkCertificateException(Reason.KEY_MISMATCH,
                    "the certificate's key is not the EK public area read from the TPM");
        }
    }

    private static boolean sameKey(AsymmetricKeyParameter certKey, TpmtPublic ek) {
        if (certKey instanceof RSAKeyParameters rsa) {
            return ek.type() == TpmAlg.RSA && rsa.getModulus().equals(ek.rsaModulus())
                    && rsa.getExponent().equals(BigInteger.valueOf(ek.rsaExponent()));
        }
        if (certKey instanceof ECPublicKeyParameters ec) {
            if (ek.type() != TpmAlg.ECC) {
                return false;
            }
            String curveName = ek.curve() == TpmAlg.CURVE_NIST_P256 ? "P-256"
                    : ek.curve() == TpmAlg.CURVE_NIST_P384 ? "P-384" : "P-521";
            if (!ec.getParameters().getCurve().equals(NISTNamedCurves.getByName(curveName).getCurve())) {
                return false;
            }
            var q = ec.getQ().normalize();
            return q.getAffineXCoord().toBigInteger().equals(ek.eccX())
                    && q.getAffineYCoord().toBigInteger().equals(ek.eccY());
        }
        return false;
    }
}
