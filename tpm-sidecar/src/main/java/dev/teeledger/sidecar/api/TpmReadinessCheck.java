package dev.teeledger.sidecar.api;

import dev.teeledger.sidecar.tpm.NodeTpm;
import dev.teeledger.sidecar.tpm.SidecarException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import tss.tpm.TPMS_TIME_INFO;

/**
 * Readiness = the TPM answers (TPM2_ReadClock) and the identity is provisioned; provisioning is
 * retried here, so a sidecar that started without its TPM becomes ready once the TPM is back.
 * Reports the TPM's reset and restart counters so operators can see reboots.
 */
@Readiness
@ApplicationScoped
public class TpmReadinessCheck implements HealthCheck {

    /** Kubelet probes time out after seconds; a queued or hung TPM must not hold the check longer. */
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

    private final NodeTpm tpm;

    public TpmReadinessCheck(NodeTpm tpm) {
        this.tpm = tpm;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("tpm");
        try {
            TPMS_TIME_INFO time = tpm.probe(PROBE_TIMEOUT);
            b.withData("resetCount", Integer.toUnsignedLong(time.clockInfo.resetCount))
                    .withData("restartCount", Integer.toUnsignedLong(time.clockInfo.restartCount));
            tpm.identity();
            return b.withData("provisioned", true).up().build();
        } catch (SidecarException e) {
            return b.withData("provisioned", tpm.provisioned()).withData("reason", e.reason().name())
                    .withData("error", e.getMessage()).down().build();
        }
    }
}
