package dev.teeledger.sidecar.tpm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teeledger.sidecar.tpm.SidecarException.Reason;
import dev.teeledger.testkit.swtpm.ProvisionedTpm;
import dev.teeledger.testkit.swtpm.SwtpmFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A TPM that stops answering or goes away: every call fails fast with a clear reason, never hangs,
 * and a sidecar that could not provision provisions once the TPM answers again.
 */
class TpmUnavailableIT {

    private static SwtpmFixture fixture;

    @BeforeAll
    static void start() {
        fixture = SwtpmFixture.start(SwtpmFixture.AkAlgorithm.ECC);
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static NodeTpm open(ProvisionedTpm tpm, Path state) {
        TpmSession session = new TpmSession(
                TpmConnector.tcp("127.0.0.1", tpm.dataPort(), Duration.ofMillis(500), Duration.ofSeconds(1)),
                Duration.ofSeconds(2), TpmCallObserver.NONE);
        return new NodeTpm(session, NodeTpmConfig.defaults(state, "teeledger-test", "https://hsm.test:8443"),
                new SecureRandom());
    }

    @Test
    void failsFastWhileTheTpmIsStuckOrGoneAndRecoversWhenItAnswers() throws Exception {
        ProvisionedTpm tpm = fixture.tpm(0);
        long pid = fixture.pids().get(0);
        Path state = Files.createTempDirectory("tpm-unavailable-it");
        try (NodeTpm sidecar = open(tpm, state)) {
            // A TPM that accepts the connection but never answers (process stopped).
            SwtpmTools.signal(pid, "STOP");
            try {
                long t0 = System.nanoTime();
                assertThatThrownBy(sidecar::identity).isInstanceOfSatisfying(SidecarException.class,
                        e -> assertThat(e.reason()).isIn(Reason.TIMEOUT, Reason.TPM_UNAVAILABLE));
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
                assertThat(sidecar.provisioned()).isFalse();
            } finally {
                SwtpmTools.signal(pid, "CONT");
            }

            // Back: the same sidecar provisions and serves.
            assertThat(sidecar.identity().akPublic()).isEqualTo(tpm.akPublic());
            assertThat(sidecar.sign(new byte[32]).der()).isNotEmpty();

            // Gone for good: the swtpm process is killed.
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
            for (ThrowingCall call : List.<ThrowingCall>of(
                    () -> sidecar.quote(new byte[16], List.of(0)),
                    () -> sidecar.sign(new byte[32]),
                    sidecar::probe)) {
                long t0 = System.nanoTime();
                assertThatThrownBy(call::run).isInstanceOfSatisfying(SidecarException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.TPM_UNAVAILABLE);
                    assertThat(e.getMessage()).contains("127.0.0.1:" + tpm.dataPort());
                });
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
            }
            // VRF proofs need no TPM round trip once the key is unsealed.
            assertThat(sidecar.vrfProve(new byte[] {7}).proof()).hasSize(81);
        }
    }

    @FunctionalInterface
    private interface ThrowingCall {
        Object run() throws Exception;
    }
}
