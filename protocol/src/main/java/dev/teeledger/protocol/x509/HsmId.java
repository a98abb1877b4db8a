package dev.teeledger.protocol.x509;

import dev.teeledger.protocol.x509.EkCertificateException.Reason;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The ledger's identifier of an HSM: SHA-256 of the DER SubjectPublicKeyInfo of its TPM's
 * Endorsement Key certificate. The EK is unique per TPM and fixed for its life, and hashing the
 * SPKI (not the whole certificate) keeps the id stable if the manufacturer reissues the
 * certificate. Used as the registry key at join and in every later attestation.
 *
 * @param value the 32-byte digest (a defensive copy is kept)
 */
public record HsmId(byte[] value) {

    public HsmId {
        if (value == null || value.length != 32) {
            throw new IllegalArgumentException("HsmId is 32 bytes");
        }
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    /**
     * The id of the EK certificate {@code ekCert} (DER, optionally with the TCG NV prefix).
     *
     * @throws EkCertificateException MALFORMED if the bytes are not a certificate
     */
    public static HsmId of(byte[] ekCert) throws EkCertificateException {
        try {
            return ofSpki(EkCertificateVerifier.parse(EkCertificateVerifier.stripTcgPrefix(ekCert))
                    .getSubjectPublicKeyInfo().getEncoded("DER"));
        } catch (java.io.IOException e) {
            throw new EkCertificateException(Reason.MALFORMED, "cannot encode the key: " + e.getMessage());
        }
    }

    /** The id of a JCA certificate (its encoded SubjectPublicKeyInfo). */
    public static HsmId of(X509Certificate ekCert) {
        return ofSpki(ekCert.getPublicKey().getEncoded());
    }

    static HsmId ofSpki(byte[] spkiDer) {
        try {
            return new HsmId(MessageDigest.getInstance("SHA-256").digest(spkiDer));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JRE", e);
        }
    }

    /** Lower-case hex of the 32 bytes. */
    public String hex() {
        return HexFormat.of().formatHex(value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HsmId h && Arrays.equals(h.value, value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "HsmId[" + hex() + "]";
    }
}
