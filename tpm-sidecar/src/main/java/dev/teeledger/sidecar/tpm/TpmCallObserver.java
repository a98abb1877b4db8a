package dev.teeledger.sidecar.tpm;

/**
 * Receives the outcome and latency of every serialised TPM call; the Quarkus layer records them
 * as Micrometer metrics. Called on the TPM worker's caller thread after each call; must be fast
 * and must not throw.
 */
@FunctionalInterface
public interface TpmCallObserver {

    /** Observer that records nothing (tests, tools). */
    TpmCallObserver NONE = (operation, nanos, outcome, tpmResponseCode) -> { };

    /**
     * @param operation       the sidecar operation, e.g. {@code quote}
     * @param nanos           wall time including the wait for the TPM lock
     * @param outcome         {@code ok} or the lower-case {@link SidecarException.Reason}
     * @param tpmResponseCode the TPM_RC for {@code tpm_error}, else 0
     */
    void completed(String operation, long nanos, String outcome, int tpmResponseCode);
}
