package dev.teeledger.protocol.tpm;

import dev.teeledger.protocol.tpm.TpmFormatException.Reason;
import java.util.ArrayList;
import java.util.List;

/**
 * A TPM attestation statement, TPMS_ATTEST (TPM 2.0 Part 2, Table 129), parsed from the exact
 * bytes the TPM signed: the output of TPM2_Certify and TPM2_Quote. The raw bytes are kept
 * because a signature must be checked over what was received, never over a re-encoding
 * (TSS.Java's validateQuote re-marshals; see docs/tpm-evidence.md).
 *
 * <p>The parser checks structure only: the magic value and type are recorded, and judged by
 * {@link CertifyVerifier} or the quote verifier. Only the CERTIFY and QUOTE unions are decoded;
 * other types are refused as UNSUPPORTED_ALGORITHM. Immutable; accessors return copies.
 */
public final class TpmsAttest {

    /** TPM_GENERATED_VALUE: marks a structure that the TPM itself produced (Part 2 Table 7). */
    public static final long TPM_GENERATED_VALUE = 0xff544347L;
    /** TPM_ST_ATTEST_CERTIFY (Part 2 Table 19). */
    public static final int ATTEST_CERTIFY = 0x8017;
    /** TPM_ST_ATTEST_QUOTE. */
    public static final int ATTEST_QUOTE = 0x8018;

    /** Largest TPMS_ATTEST we accept: a quote over 16 banks is far below this. */
    static final int MAX_ATTEST_SIZE = 1024;
    /** sizeof(TPMU_NAME) = sizeof(TPMT_HA) with SHA-512 = 66 (Part 2 Table 99). */
    private static final int MAX_NAME = 66;
    private static final int MAX_DATA = 66;
    private static final int MAX_DIGEST = 64;
    private static final int MAX_BANKS = 16;
    private static final int MAX_SELECT = 32;

    private final byte[] raw;
    private final long magic;
    private final int type;
    private final byte[] qualifiedSigner;
    private final byte[] extraData;
    private final long clock;
    private final long resetCount;
    private final long restartCount;
    private final boolean safe;
    private final long firmwareVersion;
    private final byte[] certifiedName;
    private final byte[] certifiedQualifiedName;
    private final List<PcrSelection> pcrSelections;
    private final byte[] pcrDigest;

    private TpmsAttest(byte[] raw, long magic, int type, byte[] qualifiedSigner, byte[] extraData,
            long clock, long resetCount, long restartCount, boolean safe, long firmwareVersion,
            byte[] certifiedName, byte[] certifiedQualifiedName, List<PcrSelection> pcrSelections,
            byte[] pcrDigest) {
        this.raw = raw;
        this.magic = magic;
        this.type = type;
        this.qualifiedSigner = qualifiedSigner;
        this.extraData = extraData;
        this.clock = clock;
        this.resetCount = resetCount;
        this.restartCount = restartCount;
        this.safe = safe;
        this.firmwareVersion = firmwareVersion;
        this.certifiedName = certifiedName;
        this.certifiedQualifiedName = certifiedQualifiedName;
        this.pcrSelections = pcrSelections;
        this.pcrDigest = pcrDigest;
    }

    /** Parses a bare TPMS_ATTEST (what {@code tpm2_certify -o} and {@code tpm2_quote -m} write). */
    public static TpmsAttest parse(byte[] attest) throws TpmFormatException {
        if (attest == null) {
            throw new TpmFormatException(Reason.TRUNCATED, "TPMS_ATTEST: null");
        }
        if (attest.length > MAX_ATTEST_SIZE) {
            throw new TpmFormatException(Reason.SIZE_OUT_OF_RANGE,
                    "TPMS_ATTEST: " + attest.length + " bytes exceeds " + MAX_ATTEST_SIZE);
        }
        byte[] raw = attest.clone();
        TpmReader r = new TpmReader(raw);
        long magic = r.u32("magic");
        int type = r.u16("type");
        byte[] qualifiedSigner = r.tpm2b(MAX_NAME, "qualifiedSigner");
        byte[] extraData = r.tpm2b(MAX_DATA, "extraData");
        // TPMS_CLOCK_INFO (Table 120).
        long clock = r.u64("clockInfo.clock");
        long resetCount = r.u32("clockInfo.resetCount");
        long restartCount = r.u32("clockInfo.restartCount");
        int safe = r.u8("clockInfo.safe");
        if (safe > 1) {
            throw new TpmFormatException(Reason.INVALID_VALUE, "clockInfo.safe " + safe + " is not TPMI_YES_NO");
        }
        long firmwareVersion = r.u64("firmwareVersion");
        byte[] certifiedName = null;
        byte[] certifiedQualifiedName = null;
        List<PcrSelection> selections = List.of();
        byte[] pcrDigest = null;
        switch (type) {
            case ATTEST_CERTIFY:
                // TPMS_CERTIFY_INFO (Table 123).
                certifiedName = r.tpm2b(MAX_NAME, "certify.name");
                certifiedQualifiedName = r.tpm2b(MAX_NAME, "certify.qualifiedName");
                break;
            case ATTEST_QUOTE:
                // TPMS_QUOTE_INFO (Table 124): TPML_PCR_SELECTION then TPM2B_DIGEST.
                long count = r.u32("quote.pcrSelect.count");
                if (count > MAX_BANKS) {
                    throw new TpmFormatException(Reason.SIZE_OUT_OF_RANGE,
                            "quote.pcrSelect.count " + count + " exceeds " + MAX_BANKS);
                }
                List<PcrSelection> list = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    int hash = r.u16("quote.pcrSelect.hash");
                    int sizeOfSelect = r.u8("quote.pcrSelect.sizeofSelect");
                    if (sizeOfSelect > MAX_SELECT) {
                        throw new TpmFormatException(Reason.SIZE_OUT_OF_RANGE,
                                "sizeofSelect " + sizeOfSelect + " exceeds " + MAX_SELECT);
                    }
                    list.add(new PcrSelection(hash, r.bytes(sizeOfSelect, "quote.pcrSelect.pcrSelect")));
                }
                selections = List.copyOf(list);
                pcrDigest = r.tpm2b(MAX_DIGEST, "quote.pcrDigest");
                break;
            default:
                throw new TpmFormatException(Reason.UNSUPPORTED_ALGORITHM,
                        String.format("TPMS_ATTEST.type 0x%04x (only CERTIFY and QUOTE)", type));
        }
        r.expectEnd("TPMS_ATTEST");
        return new TpmsAttest(raw, magic, type, qualifiedSigner, extraData, clock, resetCount,
                restartCount, safe == 1, firmwareVersion, certifiedName, certifiedQualifiedName,
                selections, pcrDigest);
    }

    /** The exact bytes parsed, which the signature covers. */
    public byte[] bytes() {
        return raw.clone();
    }

    /** TPMS_ATTEST.magic; genuine statements carry {@link #TPM_GENERATED_VALUE}. */
    public long magic() {
        return magic;
    }

    /** TPMS_ATTEST.type (TPMI_ST_ATTEST), e.g. {@link #ATTEST_CERTIFY}. */
    public int type() {
        return type;
    }

    /** The qualified Name of the signing key. */
    public byte[] qualifiedSigner() {
        return qualifiedSigner.clone();
    }

    /** The caller's qualifying data (nonce) echoed by the TPM. */
    public byte[] extraData() {
        return extraData.clone();
    }

    /** TPMS_CLOCK_INFO.clock, milliseconds the TPM has been powered (obfuscated outside the endorsement/platform hierarchy). */
    public long clock() {
        return clock;
    }

    /** TPMS_CLOCK_INFO.resetCount (TPM Resets since manufacture). */
    public long resetCount() {
        return resetCount;
    }

    /** TPMS_CLOCK_INFO.restartCount (Restarts/Resumes since the last Reset). */
    public long restartCount() {
        return restartCount;
    }

    /** TPMS_CLOCK_INFO.safe: the clock has not gone back since the last report. */
    public boolean safe() {
        return safe;
    }

    /** Vendor firmware version. */
    public long firmwareVersion() {
        return firmwareVersion;
    }

    /** For CERTIFY: the Name of the certified object; otherwise null. */
    public byte[] certifiedName() {
        return certifiedName == null ? null : certifiedName.clone();
    }

    /** For CERTIFY: the qualified Name of the certified object; otherwise null. */
    public byte[] certifiedQualifiedName() {
        return certifiedQualifiedName == null ? null : certifiedQualifiedName.clone();
    }

    /** For QUOTE: the PCR selection in the order signed; otherwise empty. */
    public List<PcrSelection> pcrSelections() {
        return pcrSelections;
    }

    /** For QUOTE: H(selected PCR values, concatenated in selection order); otherwise null. */
    public byte[] pcrDigest() {
        return pcrDigest == null ? null : pcrDigest.clone();
    }
}
