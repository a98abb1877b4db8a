package dev.teeledger.protocol.tpm;

import dev.teeledger.protocol.tpm.TpmEvidenceException.Reason;
import java.security.MessageDigest;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.crypto.Digest;

/**
 * Verifies a TPM2_Quote together with the project {@link MeasurementLog}: the off-chain verifier's
 * check that an HSM runs approved components, against an AK already bound to a validated EK
 * ({@link AkPolicy}, {@link CredentialActivation}). Follows TPM 2.0 Part 3 §18.4 and the rules in
 * docs/tpm-evidence.md §7.
 *
 * <p>Checks, in this order, each failing with its own {@link Reason}:
 * <ol>
 *   <li>attestation and signature parse — MALFORMED;</li>
 *   <li>signature scheme fits the AK — SCHEME_MISMATCH; signature over the raw received bytes
 *       verifies with the AK — BAD_SIGNATURE (altered bytes, another TPM's AK);</li>
 *   <li>magic TPM_GENERATED_VALUE — BAD_MAGIC; type TPM_ST_ATTEST_QUOTE — WRONG_ATTEST_TYPE;</li>
 *   <li>qualifiedSigner equals the recorded value, if one is given — WRONG_SIGNER;</li>
 *   <li>extraData equals the nonce (constant time) — NONCE_MISMATCH;</li>
 *   <li>PCR selection equals the requested one (same banks, order and bitmaps), SHA-256 bank
 *       only since the log is SHA-256 — PCR_SELECTION_MISMATCH;</li>
 *   <li>the log parses — LOG_MALFORMED; it measures only quoted PCRs — UNQUOTED_MEASUREMENT;</li>
 *   <li>pcrDigest equals H_sig(replayed PCR values in selection order) — PCR_DIGEST_MISMATCH.
 *       The values come only from the log replay, never from PCRs read separately (which the
 *       signature does not cover; Keylime #585);</li>
 *   <li>every measured digest is on the allow-list — FIRMWARE_NOT_APPROVED;</li>
 *   <li>clockInfo.safe is 1, if required — CLOCK_NOT_SAFE;</li>
 *   <li>against the last accepted quote of this TPM, if any: resetCount never decreases, and
 *       within one reset restartCount and clock never go back — COUNTER_ROLLBACK.</li>
 * </ol>
 * Stateless apart from its policy flag; deterministic; throws only {@link TpmEvidenceException}
 * for bad evidence (null caller arguments or a short nonce are programming errors:
 * NullPointerException / IllegalArgumentException).
 */
public final class QuoteVerifier {

    /** Shortest nonce accepted from the caller: 128 bits, so quotes cannot be precomputed or replayed. */
    public static final int MIN_NONCE = 16;

    private final boolean requireSafe;

    /**
     * @param requireSafe reject quotes whose clockInfo.safe is 0 (the TPM clock may have been
     *                    rolled back by a non-orderly shutdown, Part 1 §36.7)
     */
    public QuoteVerifier(boolean requireSafe) {
        this.requireSafe = requireSafe;
    }

    /** A quote that passed every check: the statement, the believed log, and the new counters to record. */
    public record VerifiedQuote(TpmsAttest statement, MeasurementLog log, ClockInfo clockInfo) {}

    /**
     * Verifies one quote.
     *
     * @param ak                      the AK's public area as recorded on chain for this HSM
     * @param expectedQualifiedSigner the AK's recorded qualified Name, or null to skip that check
     * @param nonce                   the verifier's fresh, single-use qualifying data for this quote
     *                                (at least {@value #MIN_NONCE} random bytes; a shorter one is a
     *                                caller bug: IllegalArgumentException)
     * @param requested               the PCR selection the verifier asked for
     * @param attest                  the raw TPMS_ATTEST bytes as received
     * @param signature               the raw TPMT_SIGNATURE bytes as received
     * @param measurementLog          the encoded {@link MeasurementLog}
     * @param allowList               approved component hashes at the round's height
     * @param lastSeen                counters of this TPM's last accepted quote, or null for the first
     */
    public VerifiedQuote verify(TpmtPublic ak, byte[] expectedQualifiedSigner, byte[] nonce,
            List<PcrSelection> requested, byte[] attest, byte[] signature, byte[] measurementLog,
            FirmwareAllowList allowList, ClockInfo lastSeen) throws TpmEvidenceException {
        Objects.requireNonNull(ak, "ak");
        Objects.requireNonNull(nonce, "nonce");
        Objects.requireNonNull(requested, "requested");
        Objects.requireNonNull(allowList, "allowList");
        if (nonce.length < MIN_NONCE) {
            throw new IllegalArgumentException("nonce shorter than " + MIN_NONCE + " bytes");
        }
        TpmsAttest statement;
        TpmtSignature sig;
        try {
            statement = TpmsAttest.parse(attest);
        } catch (TpmFormatException e) {
            throw new TpmEvidenceException(Reason.MALFORMED, "attestation: " + e.reason() + ": " + e.getMessage());
        }
        try {
            sig = TpmtSignature.parse(signature);
        } catch (TpmFormatException e) {
            throw new TpmEvidenceException(Reason.MALFORMED, "signature: " + e.reason() + ": " + e.getMessage());
        }
        CertifyVerifier.checkScheme(ak, sig);
        if (!TpmSignatureVerifier.verify(ak, attest, sig)) {
            throw new TpmEvidenceException(Reason.BAD_SIGNATURE, "signature does not verify with the AK");
        }
        if (statement.magic() != TpmsAttest.TPM_GENERATED_VALUE) {
            throw new TpmEvidenceException(Reason.BAD_MAGIC,
                    String.format("magic 0x%08x is not TPM_GENERATED_VALUE", statement.magic()));
        }
        if (statement.type() != TpmsAttest.ATTEST_QUOTE) {
            throw new TpmEvidenceException(Reason.WRONG_ATTEST_TYPE,
                    String.format("type 0x%04x is not TPM_ST_ATTEST_QUOTE", statement.type()));
        }
        if (expectedQualifiedSigner != null
                && !MessageDigest.isEqual(statement.qualifiedSigner(), expectedQualifiedSigner)) {
            throw new TpmEvidenceException(Reason.WRONG_SIGNER, "qualifiedSigner differs from the recorded AK");
        }
        // MessageDigest.isEqual runs in time independent of where the arrays differ (JDK 6u17+).
        if (!MessageDigest.isEqual(statement.extraData(), nonce)) {
            throw new TpmEvidenceException(Reason.NONCE_MISMATCH, "extraData differs from the nonce");
        }
        List<PcrSelection> quoted = statement.pcrSelections();
        if (!quoted.equals(requested)) {
            throw new TpmEvidenceException(Reason.PCR_SELECTION_MISMATCH,
                    "quoted " + quoted + ", requested " + requested);
        }
        boolean[] selected = new boolean[MeasurementLog.PCR_COUNT];
        for (PcrSelection s : quoted) {
            if (s.hashAlg() != TpmAlg.SHA256) {
                throw new TpmEvidenceException(Reason.PCR_SELECTION_MISMATCH,
                        String.format("bank 0x%04x: the measurement log replays only SHA-256", s.hashAlg()));
            }
            for (int pcr : s.pcrs()) {
                if (pcr >= MeasurementLog.PCR_COUNT) {
                    throw new TpmEvidenceException(Reason.PCR_SELECTION_MISMATCH, "PCR " + pcr + " does not exist");
                }
                selected[pcr] = true;
            }
        }
        MeasurementLog log = MeasurementLog.parse(measurementLog);
        for (MeasurementLog.Entry e : log.entries()) {
            if (!selected[e.pcr()]) {
                throw new TpmEvidenceException(Reason.UNQUOTED_MEASUREMENT,
                        "log measures '" + e.name() + "' into PCR " + e.pcr() + ", which is not quoted");
            }
        }
        byte[][] values = log.replay();
        byte[] expectedDigest;
        try {
            // Part 3 §18.4: pcrDigest uses the hash of the signing scheme over the selected PCR
            // values concatenated in selection order (banks in list order, PCRs ascending).
            Digest d = TpmAlg.digest(sig.hashAlg());
            for (PcrSelection s : quoted) {
                for (int pcr : s.pcrs()) {
                    d.update(values[pcr], 0, values[pcr].length);
                }
            }
            expectedDigest = new byte[d.getDigestSize()];
            d.doFinal(expectedDigest, 0);
        } catch (TpmFormatException e) {
            throw new TpmEvidenceException(Reason.MALFORMED, "signature hash: " + e.getMessage());
        }
        if (!MessageDigest.isEqual(statement.pcrDigest(), expectedDigest)) {
            throw new TpmEvidenceException(Reason.PCR_DIGEST_MISMATCH,
                    "pcrDigest differs from the PCR values replayed from the log");
        }
        for (MeasurementLog.Entry e : log.entries()) {
            if (!allowList.isApproved(e.sha256())) {
                throw new TpmEvidenceException(Reason.FIRMWARE_NOT_APPROVED,
                        e.kind() + " '" + e.name() + "' is not on the allow-list");
            }
        }
        if (requireSafe && !statement.safe()) {
            throw new TpmEvidenceException(Reason.CLOCK_NOT_SAFE, "clockInfo.safe is 0");
        }
        ClockInfo now = ClockInfo.of(statement);
        if (lastSeen != null && lastSeen.isRolledBackBy(now)) {
            throw new TpmEvidenceException(Reason.COUNTER_ROLLBACK,
                    "clock info " + now + " goes back from " + lastSeen);
        }
        return new VerifiedQuote(statement, log, now);
    }
}
