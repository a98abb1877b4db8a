package dev.teeledger.protocol.tpm;

import dev.teeledger.protocol.tpm.TpmFormatException.Reason;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.nist.NISTNamedCurves;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.math.ec.ECPoint;

/**
 * A TPM object's public area, TPMT_PUBLIC (TPM 2.0 Part 2, Table 191), parsed strictly from the
 * exact bytes a TPM returned: EK and AK public areas at enrolment, certified node keys, quote
 * signing keys. Only RSA and ECC objects are accepted. The raw bytes are kept because the
 * object's Name is the hash of exactly these bytes (Part 1 §16), which is what certify and
 * credential activation bind to.
 *
 * <p>Immutable and thread-safe; accessors return copies. Parsing reads no clock and never throws
 * anything but {@link TpmFormatException}.
 */
public final class TpmtPublic {

    /** Upper bound of a TPM2B_PUBLIC size: larger than any RSA-4096 or P-521 public area. */
    static final int MAX_PUBLIC_SIZE = 1024;
    private static final int MAX_DIGEST = 64;
    private static final int MAX_RSA_BYTES = 512;
    private static final int MAX_ECC_BYTES = 128;

    // TPMA_OBJECT bits, Part 2 Table 31.
    private static final int FIXED_TPM = 1 << 1;
    private static final int FIXED_PARENT = 1 << 4;
    private static final int SENSITIVE_DATA_ORIGIN = 1 << 5;
    private static final int USER_WITH_AUTH = 1 << 6;
    private static final int RESTRICTED = 1 << 16;
    private static final int DECRYPT = 1 << 17;
    private static final int SIGN = 1 << 18;

    private final byte[] raw;
    private final int type;
    private final int nameAlg;
    private final int objectAttributes;
    private final byte[] authPolicy;
    private final int symmetricAlg;
    private final int scheme;
    private final int schemeHashAlg;
    private final int rsaKeyBits;
    private final long rsaExponent;
    private final int curve;
    private final byte[] rsaModulus;
    private final byte[] eccX;
    private final byte[] eccY;

    private TpmtPublic(byte[] raw, int type, int nameAlg, int objectAttributes, byte[] authPolicy,
            int symmetricAlg, int scheme, int schemeHashAlg, int rsaKeyBits, long rsaExponent,
            int curve, byte[] rsaModulus, byte[] eccX, byte[] eccY) {
        this.raw = raw;
        this.type = type;
        this.nameAlg = nameAlg;
        this.objectAttributes = objectAttributes;
        this.authPolicy = authPolicy;
        this.symmetricAlg = symmetricAlg;
        this.scheme = scheme;
        this.schemeHashAlg = schemeHashAlg;
        this.rsaKeyBits = rsaKeyBits;
        this.rsaExponent = rsaExponent;
        this.curve = curve;
        this.rsaModulus = rsaModulus;
        this.eccX = eccX;
        this.eccY = eccY;
    }

    /**
     * Parses a TPM2B_PUBLIC (UINT16 size, then TPMT_PUBLIC), as written by
     * {@code tpm2_readpublic -f tss} or returned by TPM2_ReadPublic. The size must cover exactly
     * the rest of the input.
     */
    public static TpmtPublic parseTpm2b(byte[] tpm2bPublic) throws TpmFormatException {
        if (tpm2bPublic == null) {
            throw new TpmFormatException(Reason.TRUNCATED, "TPM2B_PUBLIC: null");
        }
        return parse(TpmReader.unwrapTpm2b(tpm2bPublic, MAX_PUBLIC_SIZE, "TPM2B_PUBLIC"));
    }

    /** Parses a bare TPMT_PUBLIC; the structure must end exactly at the end of the input. */
    public static TpmtPublic parse(byte[] tpmtPublic) throws TpmFormatException {
        if (tpmtPublic == null) {
            throw new TpmFormatException(Reason.TRUNCATED, "TPMT_PUBLIC: null");
        }
        if (tpmtPublic.length > MAX_PUBLIC_SIZE) {
            throw new TpmFormatException(Reason.SIZE_OUT_OF_RANGE,
                    "TPMT_PUBLIC: " + tpmtPublic.length + " bytes exceeds " + MAX_PUBLIC_SIZE);
        }
        byte[] raw = tpmtPublic.clone();
        TpmReader r = new TpmReader(raw);
        int type = r.u16("type");
        if (type != TpmAlg.RSA && type != TpmAlg.ECC) {
            throw new TpmFormatException(Reason.UNSUPPORTED_ALGORITHM,
                    String.format("TPMT_PUBLIC.type 0x%04x (only RSA and ECC)", type));
        }
        int nameAlg = r.u16("nameAlg");
        if (TpmAlg.digestSize(nameAlg) < 0) {
            throw new TpmFormatException(Reason.UNSUPPORTED_ALGORITHM,
                    String.format("TPMT_PUBLIC.nameAlg 0x%04x", nameAlg));
        }
        int attributes = (int) r.u32("objectAttributes");
        byte[] authPolicy = r.tpm2b(MAX_DIGEST, "authPolicy");

        // TPMT_SYM_DEF_OBJECT (Table 144): algorithm, then keyBits and mode unless NULL.
        int symmetricAlg = r.u16("symmetric.algorithm");
        if (symmetricAlg != TpmAlg.NULL) {
            r.u16("symmetric.keyBits");
            r.u16("symmetric.mode");
        }
        int scheme = r.u16("scheme.scheme");
        int schemeHash = TpmAlg.NULL;
        int keyBits = 0;
        long exponent = 0;
        int curve = 0;
        byte[] modulus = null;
        byte[] x = null;
        byte[] y = null;
        if (type == TpmAlg.RSA) {
            // TPMS_RSA_PARMS (Table 186) with TPMT_RSA_SCHEME (Table 172).
            switch (scheme) {
                case TpmAlg.NULL:
                case TpmAlg.RSAES:
                    break;
                case TpmAlg.RSASSA:
                case TpmAlg.RSAPSS:
                case TpmAlg.OAEP:
                    schemeHash = r.u16("scheme.hashAlg");
                    break;
                default:
                    throw new TpmFormatException(Reason.UNSUPPORTED_ALGORITHM,
                            String.format("RSA scheme 0x%04x", scheme));
            }
            keyBits = r.u16("keyBits");
            exponent = r.u32("exponent");
            if (keyBits < 1024 || keyBits > 4096 || keyBits % 8 != 0) {
                throw new TpmFormatException(Reason.INVALID_VALUE, "RSA keyBits " + keyBits);
            }
            if (exponent != 0 && (exponent < 3 || (exponent & 1) == 0)) {
                throw new TpmFormatException(Reason.INVALID_VALUE, "RSA exponent " + exponent);
            }
            modulus = r.tpm2b(MAX_RSA_BYTES, "unique.rsa");
            if (modulus.length != keyBits / 8 || (modulus[0] & 0x80) == 0) {
                throw new TpmFormatException(Reason.INVALID_VALUE,
                        "RSA modulus of " + modulus.length + " bytes for keyBits " + keyBits);
            }
        } else {
            // TPMS_ECC_PARMS (Table 187) with TPMT_ECC_SCHEME (Table 176) and TPMT_KDF_SCHEME.
            switch (scheme) {
                case TpmAlg.NULL:
                    break;
                case TpmAlg.ECDSA:
                case TpmAlg.ECDH:
                case TpmAlg.SM2:
                case TpmAlg.ECSCHNORR:
                case TpmAlg.ECMQV:
                    schemeHash = r.u16("scheme.hashAlg");
                    break;
                case TpmAlg.ECDAA:
                    schemeHash = r.u16("scheme.hashAlg");
                    r.u16("scheme.count");
                    break;
                default:
                    throw new TpmFormatException(Reason.UNSUPPORTED_ALGORITHM,
                            String.format("ECC scheme 0x%04x", scheme));
            }
            curve = r.u16("curveID");
            if (TpmAlg.curveName(curve) == null) {
                throw new TpmFormatException(Reason.UNSUPPORTED_ALGORITHM,
                        String.format("ECC curve 0x%04x", curve));
            }
            int kdf = r.u16("kdf.scheme");
            switch (kdf) {
                case TpmAlg.NULL:
                    break;
                case 0x0007: // TPM_ALG_MGF1
                case TpmAlg.KDF1_SP800_56A:
                case TpmAlg.KDF2:
                case TpmAlg.KDF1_SP800_108:
                    r.u16("kdf.hashAlg");
                    break;
                default:
                    throw new TpmFormatException(Reason.UNSUPPORTED_ALGORITHM,
                            String.format("KDF scheme 0x%04x", kdf));
            }
            x = r.tpm2b(MAX_ECC_BYTES, "unique.ecc.x");
            y = r.tpm2b(MAX_ECC_BYTES, "unique.ecc.y");
            int maxLen = (curveParameters(curve).getCurve().getFieldSize() + 7) / 8;
            if (x.length == 0 || y.length == 0 || x.length > maxLen || y.length > maxLen) {
                throw new TpmFormatException(Reason.INVALID_VALUE,
                        "ECC point coordinates of " + x.length + "/" + y.length + " bytes");
            }
        }
        r.expectEnd("TPMT_PUBLIC");
        return new TpmtPublic(raw, type, nameAlg, attributes, authPolicy, symmetricAlg, scheme,
                schemeHash, keyBits, exponent, curve, modulus, x, y);
    }

    static X9ECParameters curveParameters(int curve) {
        return NISTNamedCurves.getByName(TpmAlg.curveName(curve));
    }

    /** The exact TPMT_PUBLIC bytes this object was parsed from. */
    public byte[] bytes() {
        return raw.clone();
    }

    /** TPMT_PUBLIC.type: {@link TpmAlg#RSA} or {@link TpmAlg#ECC}. */
    public int type() {
        return type;
    }

    /** TPMT_PUBLIC.nameAlg, the hash algorithm of the object's Name. */
    public int nameAlg() {
        return nameAlg;
    }

    /** TPMT_PUBLIC.objectAttributes (TPMA_OBJECT) as the raw 32-bit value. */
    public int objectAttributes() {
        return objectAttributes;
    }

    /** The object may not be duplicated off this TPM. */
    public boolean fixedTpm() {
        return (objectAttributes & FIXED_TPM) != 0;
    }

    /** The object may not be re-parented. */
    public boolean fixedParent() {
        return (objectAttributes & FIXED_PARENT) != 0;
    }

    /** The TPM generated the sensitive data (the private key was not imported). */
    public boolean sensitiveDataOrigin() {
        return (objectAttributes & SENSITIVE_DATA_ORIGIN) != 0;
    }

    /** USER role authorisation may use the auth value (not only a policy). */
    public boolean userWithAuth() {
        return (objectAttributes & USER_WITH_AUTH) != 0;
    }

    /** A restricted key signs only TPM-generated digests (or decrypts only TPM formats). */
    public boolean restricted() {
        return (objectAttributes & RESTRICTED) != 0;
    }

    /** The key may decrypt. */
    public boolean decrypt() {
        return (objectAttributes & DECRYPT) != 0;
    }

    /** The key may sign (TPMA_OBJECT.sign / encrypt). */
    public boolean sign() {
        return (objectAttributes & SIGN) != 0;
    }

    /** TPMT_PUBLIC.authPolicy (may be empty). */
    public byte[] authPolicy() {
        return authPolicy.clone();
    }

    /** The symmetric algorithm of a storage key, or {@link TpmAlg#NULL}. */
    public int symmetricAlg() {
        return symmetricAlg;
    }

    /** The fixed signing/encryption scheme, or {@link TpmAlg#NULL} if the key leaves it open. */
    public int scheme() {
        return scheme;
    }

    /** The hash of the fixed scheme, or {@link TpmAlg#NULL}. */
    public int schemeHashAlg() {
        return schemeHashAlg;
    }

    /** RSA key size in bits; 0 for ECC. */
    public int rsaKeyBits() {
        return rsaKeyBits;
    }

    /** The RSA public exponent, with the TPM's 0 mapped to 65537 (Part 2 Table 186); 0 for ECC. */
    public long rsaExponent() {
        if (type != TpmAlg.RSA) {
            return 0;
        }
        return rsaExponent == 0 ? 65537 : rsaExponent;
    }

    /** The RSA modulus as a positive integer, or null for ECC. */
    public BigInteger rsaModulus() {
        return rsaModulus == null ? null : new BigInteger(1, rsaModulus);
    }

    /** TPM_ECC_CURVE of an ECC key; 0 for RSA. */
    public int curve() {
        return curve;
    }

    /** ECC x coordinate, or null for RSA. */
    public BigInteger eccX() {
        return eccX == null ? null : new BigInteger(1, eccX);
    }

    /** ECC y coordinate, or null for RSA. */
    public BigInteger eccY() {
        return eccY == null ? null : new BigInteger(1, eccY);
    }

    /**
     * The object's Name: nameAlg (2 bytes, big-endian) ‖ H_nameAlg(TPMT_PUBLIC bytes)
     * (TPM 2.0 Part 1 §16).
     */
    public byte[] name() {
        try {
            byte[] digest = TpmAlg.hash(nameAlg, raw);
            byte[] name = new byte[2 + digest.length];
            name[0] = (byte) (nameAlg >>> 8);
            name[1] = (byte) nameAlg;
            System.arraycopy(digest, 0, name, 2, digest.length);
            return name;
        } catch (TpmFormatException e) {
            // parse() admits only nameAlgs whose digest exists.
            throw new IllegalStateException(e);
        }
    }

    /** The validated ECC point (on the curve, not infinity). */
    ECPoint eccPoint() throws TpmFormatException {
        try {
            ECPoint p = curveParameters(curve).getCurve().createPoint(eccX(), eccY());
            if (p.isInfinity() || !p.isValid()) {
                throw new TpmFormatException(Reason.INVALID_VALUE, "ECC point not on curve");
            }
            return p;
        } catch (IllegalArgumentException e) {
            throw new TpmFormatException(Reason.INVALID_VALUE, "ECC point not on curve");
        }
    }

    /**
     * The DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7; RSA per RFC 8017 with NULL parameters,
     * ECC as id-ecPublicKey with the named curve and an uncompressed point per SEC 1).
     *
     * @throws TpmFormatException INVALID_VALUE if the ECC point is not on its curve
     */
    public byte[] subjectPublicKeyInfo() throws TpmFormatException {
        try {
            SubjectPublicKeyInfo spki;
            if (type == TpmAlg.RSA) {
                spki = new SubjectPublicKeyInfo(
                        new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                        new RSAPublicKey(rsaModulus(), BigInteger.valueOf(rsaExponent())));
            } else {
                ASN1ObjectIdentifier oid = NISTNamedCurves.getOID(TpmAlg.curveName(curve));
                spki = new SubjectPublicKeyInfo(
                        new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, oid),
                        eccPoint().getEncoded(false));
            }
            return spki.getEncoded("DER");
        } catch (IOException e) {
            throw new TpmFormatException(Reason.INVALID_VALUE, "cannot encode key: " + e.getMessage());
        }
    }

    /** This key as a JCA {@link PublicKey} ("RSA" or "EC"), for callers outside block execution. */
    public PublicKey toJcaPublicKey() throws TpmFormatException {
        try {
            KeyFactory kf = KeyFactory.getInstance(type == TpmAlg.RSA ? "RSA" : "EC");
            return kf.generatePublic(new X509EncodedKeySpec(subjectPublicKeyInfo()));
        } catch (GeneralSecurityException e) {
            throw new TpmFormatException(Reason.INVALID_VALUE, "JCA refused key: " + e.getMessage());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TpmtPublic && Arrays.equals(raw, ((TpmtPublic) o).raw);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(raw);
    }

    @Override
    public String toString() {
        return String.format("TpmtPublic[type=0x%04x, nameAlg=0x%04x, attributes=0x%08x]",
                type, nameAlg, objectAttributes);
    }
}
