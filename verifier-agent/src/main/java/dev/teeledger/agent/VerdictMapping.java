package dev.teeledger.agent;

import dev.teeledger.protocol.tpm.TpmEvidenceException;
import dev.teeledger.protocol.tx.v1.VerdictReason;

/**
 * How a failed evidence check becomes the {@code reason} of a FAIL vote. The chain only checks
 * that FAIL carries a reason other than OK ({@code docs/attestation.md}, the vote); the mapping
 * groups {@code protocol}'s fine-grained {@link TpmEvidenceException.Reason}s into the vote's
 * coarse ones so that clients can tell a wrong firmware from a broken signature.
 */
public final class VerdictMapping {
    private VerdictMapping() {}

    /** The vote reason for an evidence failure. */
    public static VerdictReason reasonFor(TpmEvidenceException.Reason reason) {
        return switch (reason) {
            case BAD_SIGNATURE, SCHEME_MISMATCH, WRONG_SIGNER, BAD_MAGIC, WRONG_ATTEST_TYPE ->
                    VerdictReason.VERDICT_REASON_BAD_QUOTE_SIGNATURE;
            case NONCE_MISMATCH, EXTRA_DATA_MISMATCH -> VerdictReason.VERDICT_REASON_NONCE_MISMATCH;
            case PCR_DIGEST_MISMATCH, PCR_SELECTION_MISMATCH, UNQUOTED_MEASUREMENT -> VerdictReason.VERDICT_REASON_PCR_MISMATCH;
            case FIRMWARE_NOT_APPROVED -> VerdictReason.VERDICT_REASON_FIRMWARE_NOT_APPROVED;
            case COUNTER_ROLLBACK, CLOCK_NOT_SAFE -> VerdictReason.VERDICT_REASON_COUNTER_ROLLBACK;
            case UNSUPPORTED_EK, BAD_NAME, CERTIFIED_NAME_MISMATCH -> VerdictReason.VERDICT_REASON_ACTIVATION_FAILED;
            default -> VerdictReason.VERDICT_REASON_MALFORMED_EVIDENCE;
        };
    }

    /**
     * The vote reason when the testee's sidecar refused or never answered a call: a TPM that
     * refuses to activate our credential did not prove the AK↔EK binding; an unreachable sidecar
     * gives no evidence at all; any other refusal (a log that does not replay, a malformed answer)
     * is malformed evidence.
     */
    public static VerdictReason reasonFor(SidecarException e, boolean duringActivation) {
        if (e.retryable()) {
            return VerdictReason.VERDICT_REASON_UNREACHABLE;
        }
        if (duringActivation && e.kind() == SidecarException.Kind.TPM_ERROR) {
            return VerdictReason.VERDICT_REASON_ACTIVATION_FAILED;
        }
        return VerdictReason.VERDICT_REASON_MALFORMED_EVIDENCE;
    }
}
