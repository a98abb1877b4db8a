package dev.teeledger.protocol.tpm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.teeledger.protocol.tpm.MeasurementLog.Entry;
import dev.teeledger.protocol.tpm.MeasurementLog.Kind;
import dev.teeledger.protocol.tpm.TpmEvidenceException.Reason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MeasurementLogTest {

    static LongStream seeds() {
        return LongStream.range(0, 500);
    }

    @Test
    void roundTripsAndReplaysFromInitialValues() throws Exception {
        MeasurementLog log = MeasurementLog.of(QuoteVerifierTest.LOG);
        assertThat(MeasurementLog.parse(log.encode()).entries()).isEqualTo(log.entries());
        byte[][] pcrs = log.replay();
        assertThat(pcrs[23]).containsOnly(0);
        assertThat(pcrs[17]).containsOnly(0xff);
        assertThat(pcrs[0]).containsOnly(0);
        assertThat(log.measures(16)).isTrue();
        assertThat(log.measures(17)).isFalse();
    }

    @Test
    void rejectsBadHeader() {
        byte[] ok = MeasurementLog.of(QuoteVerifierTest.LOG).encode();
        for (int i : new int[] {0, 4, 5}) {
            byte[] bad = ok.clone();
            bad[i] ^= 0x10;
            expectMalformed(bad);
        }
        byte[] count = ok.clone();
        count[7] = 4; // claims 4 entries, holds 3
        expectMalformed(count);
        byte[] huge = ok.clone();
        huge[6] = (byte) 0xff;
        expectMalformed(huge);
        expectMalformed(new byte[0]);
        expectMalformed(null);
    }

    @Test
    void rejectsBadNames() {
        byte[] ok = MeasurementLog.of(List.of(new Entry(16, Kind.WASM, new byte[32], "ab"))).encode();
        byte[] empty = Arrays.copyOf(ok, ok.length - 2);
        empty[empty.length - 1] = 0;
        expectMalformed(empty);
        byte[] control = ok.clone();
        control[control.length - 1] = '\n';
        expectMalformed(control);
        byte[] notUtf8 = ok.clone();
        notUtf8[notUtf8.length - 1] = (byte) 0xc3;
        expectMalformed(notUtf8);
    }

    private static void expectMalformed(byte[] bytes) {
        assertThatThrownBy(() -> MeasurementLog.parse(bytes)).isInstanceOf(TpmEvidenceException.class)
                .satisfies(e -> assertThat(((TpmEvidenceException) e).reason()).isEqualTo(Reason.LOG_MALFORMED));
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void parserFailsOnlyWithTypedErrorsAndRoundTripsWhatItAccepts(long seed) {
        Random rnd = new Random(seed);
        List<Entry> entries = new ArrayList<>();
        int n = rnd.nextInt(6);
        for (int i = 0; i < n; i++) {
            byte[] d = new byte[32];
            rnd.nextBytes(d);
            entries.add(new Entry(rnd.nextInt(24), rnd.nextBoolean() ? Kind.FIRMWARE : Kind.WASM, d, "c" + rnd.nextInt(1000)));
        }
        byte[] input = MeasurementLog.of(entries).encode();
        switch (rnd.nextInt(4)) {
            case 0 -> {
                for (int k = 1 + rnd.nextInt(4); k > 0 && input.length > 0; k--) {
                    input[rnd.nextInt(input.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            case 1 -> input = Arrays.copyOf(input, rnd.nextInt(input.length + 1));
            case 2 -> {
                byte[] tail = new byte[1 + rnd.nextInt(40)];
                rnd.nextBytes(tail);
                byte[] longer = Arrays.copyOf(input, input.length + tail.length);
                System.arraycopy(tail, 0, longer, input.length, tail.length);
                input = longer;
            }
            default -> {
                input = new byte[rnd.nextInt(200)];
                rnd.nextBytes(input);
                if (input.length >= 6 && rnd.nextBoolean()) {
                    System.arraycopy(new byte[] {'T', 'L', 'M', 'L', 0, 1}, 0, input, 0, 6);
                }
            }
        }
        try {
            MeasurementLog log = MeasurementLog.parse(input);
            assertThat(log.encode()).isEqualTo(input);
            log.replay();
        } catch (TpmEvidenceException expected) {
            assertThat(expected.reason()).isEqualTo(Reason.LOG_MALFORMED);
        } catch (Throwable t) {
            fail("seed " + seed + ": " + t, t);
        }
    }
}
