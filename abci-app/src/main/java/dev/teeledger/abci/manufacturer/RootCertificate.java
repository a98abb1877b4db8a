package dev.teeledger.abci.manufacturer;

import dev.teeledger.abci.app.BlockTime;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.result.ResultCode;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * A manufacturer CA certificate checked for registration: strict single DER certificate (no
 * trailing bytes, at most 16 KiB), basicConstraints cA=true, and valid at the block time.
 * Its {@link #id()} is SHA-256 of the DER SubjectPublicKeyInfo, so a re-issued root with the
 * same key keeps its id. Used by {@link ManufacturerTxHandler}; deterministic (the block time
 * is the only clock).
 */
public final class RootCertificate {
    static final int MAX_BYTES = 16 * 1024;

    private final X509CertificateHolder holder;
    private final byte[] id;

    private RootCertificate(X509CertificateHolder holder, byte[] id) {
        this.holder = holder;
        this.id = id;
    }

    /** Parses strictly; MALFORMED_ROOT_CERTIFICATE for anything else. */
    public static RootCertificate parse(byte[] der) throws Rejection {
        if (der == null || der.length == 0 || der.length > MAX_BYTES) {
            throw new Rejection(ResultCode.MALFORMED_ROOT_CERTIFICATE,
                    "certificate of " + (der == null ? 0 : der.length) + " bytes (1.." + MAX_BYTES + ")");
        }
        try {
            // fromByteArray refuses data after the outer SEQUENCE; re-encoding refuses BER.
            X509CertificateHolder holder = new X509CertificateHolder(Certificate.getInstance(ASN1Primitive.fromByteArray(der)));
            if (holder.getEncoded().length != der.length) {
                throw new Rejection(ResultCode.MALFORMED_ROOT_CERTIFICATE, "not DER");
            }
            if (!isWellFormed(holder.getSubject().toString())) {
                // e.g. a BMPString with an unpaired surrogate: it could not be stored or emitted
                throw new Rejection(ResultCode.MALFORMED_ROOT_CERTIFICATE, "subject is not well-formed Unicode");
            }
            byte[] spki = holder.getSubjectPublicKeyInfo().getEncoded(ASN1Encoding.DER);
            return new RootCertificate(holder, MessageDigest.getInstance("SHA-256").digest(spki));
        } catch (IOException | RuntimeException e) {
            throw new Rejection(ResultCode.MALFORMED_ROOT_CERTIFICATE, "not an X.509 certificate: " + e.getMessage());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JRE", e);
        }
    }

    /** True iff {@code s} encodes to UTF-8 (no unpaired surrogates), as protobuf strings must. */
    public static boolean isWellFormed(String s) {
        return s != null && java.nio.charset.StandardCharsets.UTF_8.newEncoder().canEncode(s);
    }

    /** ROOT_NOT_CA unless basicConstraints says cA=true (RFC 5280 §4.2.1.9). */
    public void requireCa() throws Rejection {
        Extension ext = holder.getExtension(Extension.basicConstraints);
        boolean ca;
        try {
            ca = ext != null && BasicConstraints.getInstance(ext.getParsedValue()).isCA();
        } catch (RuntimeException e) {
            throw new Rejection(ResultCode.MALFORMED_ROOT_CERTIFICATE, "bad basicConstraints: " + e.getMessage());
        }
        if (!ca) {
            throw new Rejection(ResultCode.ROOT_NOT_CA, holder.getSubject().toString());
        }
    }

    /** ROOT_NOT_YET_VALID / ROOT_EXPIRED unless notBefore ≤ time ≤ notAfter (RFC 5280 §4.1.2.5). */
    public void requireValidAt(BlockTime time) throws Rejection {
        Instant t = instant(time);
        if (t.isBefore(holder.getNotBefore().toInstant())) {
            throw new Rejection(ResultCode.ROOT_NOT_YET_VALID, "valid from " + holder.getNotBefore().toInstant() + ", block time " + t);
        }
        if (t.isAfter(holder.getNotAfter().toInstant())) {
            throw new Rejection(ResultCode.ROOT_EXPIRED, "expired " + holder.getNotAfter().toInstant() + ", block time " + t);
        }
    }

    /** The block time as an {@link Instant}, the form the X.509 checks take. */
    public static Instant instant(BlockTime time) {
        return Instant.ofEpochSecond(time.seconds(), time.nanos());
    }

    public byte[] id() {
        return id.clone();
    }

    public String subject() {
        return holder.getSubject().toString();
    }
}
