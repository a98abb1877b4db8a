package dev.teeledger.sidecar.evidence;

import java.util.List;

/**
 * A TPM2_Quote as the sidecar returns it: the verifier checks {@code signature} over the raw
 * {@code attest} with the registered AK and replays {@code measurementLog} against the quoted
 * pcrDigest ({@code protocol.tpm.QuoteVerifier}); {@code pcrValues} are informational (read right
 * after the quote, not covered by the signature). Arrays are shared; do not modify.
 *
 * @param attest         TPMS_ATTEST exactly as signed
 * @param signature      TPMT_SIGNATURE by the AK
 * @param pcrValues      SHA-256 PCR values of the quoted selection, ascending index
 * @param measurementLog the encoded {@code MeasurementLog} of the sidecar's measurements
 */
public record QuoteEvidence(byte[] attest, byte[] signature, List<PcrValue> pcrValues, byte[] measurementLog) {

    public QuoteEvidence {
        pcrValues = List.copyOf(pcrValues);
    }

    /** One SHA-256 PCR value. */
    public record PcrValue(int index, byte[] sha256) {}
}
