package dev.teeledger.sidecar.api;

import dev.teeledger.protocol.tpm.MeasurementLog;
import dev.teeledger.sidecar.tpm.NodeTpm;
import dev.teeledger.sidecar.tpm.NodeTpmConfig;
import dev.teeledger.sidecar.tpm.SidecarException;
import dev.teeledger.sidecar.tpm.TpmCallObserver;
import dev.teeledger.sidecar.tpm.TpmConnector;
import dev.teeledger.sidecar.tpm.TpmSession;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Wires the plain TPM classes into Quarkus: one {@link NodeTpm} per process from
 * {@link SidecarConfig}, TPM call metrics into Micrometer, and a provisioning attempt at start. A
 * TPM that is unreachable at start is logged, not fatal: readiness stays down and provisioning is
 * retried by the readiness check and by the first call.
 */
@Singleton
public class SidecarBeans {

    private static final Logger LOG = Logger.getLogger(SidecarBeans.class);

    @Produces
    @Singleton
    NodeTpm nodeTpm(SidecarConfig config, MeterRegistry registry) {
        TpmConnector connector = switch (config.tpm().backend()) {
            case "tcp" -> TpmConnector.tcp(config.tpm().host(), config.tpm().port(), config.tpm().connectTimeout(),
                    config.tpm().ioTimeout());
            case "device" -> TpmConnector.linuxDevice();
            default -> throw new IllegalArgumentException(
                    "teeledger.sidecar.tpm.backend must be tcp or device, not " + config.tpm().backend());
        };
        TpmSession session = new TpmSession(connector, config.tpm().callTimeout(), metrics(registry));
        List<NodeTpmConfig.Component> components = new ArrayList<>();
        config.measurement().firmware().orElse(List.of())
                .forEach(p -> components.add(new NodeTpmConfig.Component(MeasurementLog.Kind.FIRMWARE, p)));
        config.measurement().wasm().orElse(List.of())
                .forEach(p -> components.add(new NodeTpmConfig.Component(MeasurementLog.Kind.WASM, p)));
        NodeTpmConfig nodeConfig = new NodeTpmConfig(handle(config.handles().ek()),
                handle(config.handles().ekCertificate()), handle(config.handles().ak()),
                handle(config.handles().nodeKey()), config.akAlgorithm(), config.intermediateFiles().orElse(List.of()),
                config.stateDir(), config.chainId(), config.endpoint(), config.measurement().pcr(), components);
        return new NodeTpm(session, nodeConfig, new SecureRandom());
    }

    void close(@Disposes NodeTpm tpm) {
        tpm.close();
    }

    void provisionAtStart(@Observes StartupEvent event, NodeTpm tpm) {
        try {
            tpm.identity();
            LOG.info("TPM identity provisioned");
        } catch (SidecarException e) {
            LOG.warnf("TPM not ready at start (%s): %s; readiness stays down until it is", e.reason(), e.getMessage());
        }
    }

    /** Call latency per operation and outcome, and a counter per TPM response code. */
    static TpmCallObserver metrics(MeterRegistry registry) {
        return (operation, nanos, outcome, rc) -> {
            Timer.builder("teeledger.sidecar.tpm.calls")
                    .description("TPM operations by outcome, queueing included")
                    .tag("operation", operation).tag("outcome", outcome)
                    .register(registry).record(nanos, TimeUnit.NANOSECONDS);
            if (rc != 0) {
                registry.counter("teeledger.sidecar.tpm.errors", "operation", operation,
                        "response_code", String.format("0x%03X", rc)).increment();
            }
        };
    }

    /** A handle or NV index from configuration: {@code 0x81010001} or decimal. */
    static int handle(String text) {
        return (int) Long.decode(text.trim()).longValue();
    }
}
