package dev.teeledger.protocol.tpm;

/**
 * The TPMS_CLOCK_INFO counters of a TPM's last accepted quote (TPM 2.0 Part 2, Table 120), as the
 * chain records them per HSM. {@link QuoteVerifier} requires that a new quote never goes back:
 * resetCount never decreases and, within one reset, neither restartCount nor clock decreases.
 *
 * @param resetCount   TPM Resets since manufacture
 * @param restartCount TPM Restarts/Resumes since the last Reset
 * @param clock        milliseconds the TPM has been powered, never going back while {@code safe}
 */
public record ClockInfo(long resetCount, long restartCount, long clock) {

    /** The counters carried by a parsed attestation. */
    public static ClockInfo of(TpmsAttest attest) {
        return new ClockInfo(attest.resetCount(), attest.restartCount(), attest.clock());
    }

    /** True iff {@code next} goes back relative to this earlier report. */
    public boolean isRolledBackBy(ClockInfo next) {
        if (next.resetCount != resetCount) {
            return Long.compareUnsigned(next.resetCount, resetCount) < 0;
        }
        return Long.compareUnsigned(next.restartCount, restartCount) < 0
                || Long.compareUnsigned(next.clock, clock) < 0;
    }
}
