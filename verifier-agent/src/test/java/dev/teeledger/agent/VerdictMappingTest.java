package dev.teeledger.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teeledger.protocol.tpm.TpmEvidenceException.Reason;
import dev.teeledger.protocol.tx.v1.VerdictReason;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Every evidence failure maps to a FAIL reason the chain accepts, and the main ones to their own. */
class VerdictMappingTest {

    @ParameterizedTest
    @EnumSource(Reason.class)
    void everyEvidenceFailureHasAFailReason(Reason reason) {
        assertThat(VerdictMapping.reasonFor(reason)).isNotIn(VerdictReason.VERDICT_REASON_OK,
                VerdictReason.VERDICT_REASON_UNSPECIFIED, VerdictReason.UNRECOGNIZED);
    }

    @ParameterizedTest
    @CsvSource({
        "FIRMWARE_NOT_APPROVED, VERDICT_REASON_FIRMWARE_NOT_APPROVED",
        "BAD_SIGNATURE, VERDICT_REASON_BAD_QUOTE_SIGNATURE",
        "NONCE_MISMATCH, VERDICT_REASON_NONCE_MISMATCH",
        "PCR_DIGEST_MISMATCH, VERDICT_REASON_PCR_MISMATCH",
        "UNQUOTED_MEASUREMENT, VERDICT_REASON_PCR_MISMATCH",
        "COUNTER_ROLLBACK, VERDICT_REASON_COUNTER_ROLLBACK",
        "UNSUPPORTED_EK, VERDICT_REASON_ACTIVATION_FAILED",
        "LOG_MALFORMED, VERDICT_REASON_MALFORMED_EVIDENCE",
        "MALFORMED, VERDICT_REASON_MALFORMED_EVIDENCE",
    })
    void mapsEachCheckToItsReason(Reason reason, VerdictReason expected) {
        assertThat(VerdictMapping.reasonFor(reason)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
        "CONNECTION_FAILED, true, VERDICT_REASON_UNREACHABLE",
        "TIMEOUT, false, VERDICT_REASON_UNREACHABLE",
        "TPM_UNAVAILABLE, false, VERDICT_REASON_UNREACHABLE",
        "TPM_ERROR, true, VERDICT_REASON_ACTIVATION_FAILED",
        "TPM_ERROR, false, VERDICT_REASON_MALFORMED_EVIDENCE",
        "FAILED_PRECONDITION, false, VERDICT_REASON_MALFORMED_EVIDENCE",
        "MALFORMED_RESPONSE, true, VERDICT_REASON_MALFORMED_EVIDENCE",
    })
    void mapsSidecarRefusals(SidecarException.Kind kind, boolean activation, VerdictReason expected) {
        assertThat(VerdictMapping.reasonFor(new SidecarException(kind, "x"), activation)).isEqualTo(expected);
    }
}
