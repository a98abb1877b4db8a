package dev.teeledger.sidecar.tpm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teeledger.sidecar.tpm.SidecarException.Reason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tss.TpmDevice;

/** Serialisation, timeouts and outcome reporting of the TPM path, with a scripted device. */
class TpmSessionTest {

    /** GetCapability(HANDLES) answer with no handles: tag, size 19, rc 0, moreData 0, cap 1, count 0. */
    private static final byte[] NO_HANDLES = {(byte) 0x80, 1, 0, 0, 0, 0x13, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0};

    /** Answers every command with an empty handle list; counts closes. */
    private static final class ScriptedDevice extends TpmDevice {
        final AtomicInteger closes = new AtomicInteger();

        @Override
        public boolean connect() {
            return true;
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }

        @Override
        public void dispatchCommand(byte[] command) {}

        @Override
        public byte[] getResponse() {
            return NO_HANDLES.clone();
        }

        @Override
        public boolean responseReady() {
            return true;
        }
    }

    @Test
    void aCallThatTimesOutInTheQueueLeavesTheConnectionAlone() throws Exception {
        ScriptedDevice device = new ScriptedDevice();
        List<String> outcomes = new ArrayList<>();
        try (TpmSession session = new TpmSession(() -> device, Duration.ofSeconds(5),
                (op, nanos, outcome, rc) -> {
                    synchronized (outcomes) {
                        outcomes.add(op + ":" + outcome);
                    }
                })) {
            CompletableFuture<String> slow = CompletableFuture.supplyAsync(() -> {
                try {
                    return session.call("slow", ctx -> {
                        sleep(600);
                        return "done";
                    });
                } catch (SidecarException e) {
                    throw new IllegalStateException(e);
                }
            });
            sleep(100);
            assertThatThrownBy(() -> session.call("queued", Duration.ofMillis(150), ctx -> "never"))
                    .isInstanceOfSatisfying(SidecarException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.TIMEOUT);
                        assertThat(e.getMessage()).contains("still queued");
                    });
            assertThat(slow.get()).isEqualTo("done");
            assertThat(device.closes).hasValue(0);
            String after = session.call("after", ctx -> "ok");
            assertThat(after).isEqualTo("ok");
        }
        assertThat(outcomes).contains("slow:ok", "queued:timeout", "after:ok");
    }

    @Test
    void aCallThatTimesOutAtTheTpmDropsTheConnection() throws Exception {
        ScriptedDevice device = new ScriptedDevice();
        try (TpmSession session = new TpmSession(() -> device, Duration.ofMillis(200), TpmCallObserver.NONE)) {
            assertThatThrownBy(() -> session.call("stuck", ctx -> {
                sleep(500);
                return "late";
            })).isInstanceOfSatisfying(SidecarException.class, e -> {
                assertThat(e.reason()).isEqualTo(Reason.TIMEOUT);
                assertThat(e.getMessage()).contains("did not answer within 200 ms");
            });
            assertThat(device.closes.get()).isPositive();
        }
    }

    @Test
    void anUnreachableTpmIsReportedNotThrownRaw() {
        try (TpmSession session = new TpmSession(() -> {
            throw new tss.TpmException("connection refused");
        }, Duration.ofSeconds(1), TpmCallObserver.NONE)) {
            assertThatThrownBy(() -> session.call("probe", ctx -> ctx.tpm().ReadClock()))
                    .isInstanceOfSatisfying(SidecarException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.TPM_UNAVAILABLE);
                        assertThat(e.getMessage()).contains("connection refused");
                    });
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
