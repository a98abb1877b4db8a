package dev.teeledger.sidecar.tpm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teeledger.sidecar.tpm.SidecarException.Reason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Request checks and certificate parsing that need no TPM. */
class NodeTpmArgumentsTest {

    @Test
    void pcrSelectionIsTheLittleEndianBitmapOfTheSha256Bank() throws Exception {
        assertThat(NodeTpm.selection(List.of(0, 15))).containsExactly(0x01, 0x80, 0x00);
        assertThat(NodeTpm.selection(List.of(23, 1, 2, 3, 7))).containsExactly(0x8e, 0x00, 0x80);
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 24, 255, Integer.MIN_VALUE})
    void rejectsAnUnknownPcr(int pcr) {
        assertThatThrownBy(() -> NodeTpm.selection(List.of(0, pcr)))
                .isInstanceOfSatisfying(SidecarException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).contains("unknown PCR " + pcr);
                });
    }

    @Test
    void rejectsEmptyAndDuplicateSelections() {
        assertThatThrownBy(() -> NodeTpm.selection(List.of())).isInstanceOf(SidecarException.class);
        assertThatThrownBy(() -> NodeTpm.selection(null)).isInstanceOf(SidecarException.class);
        assertThatThrownBy(() -> NodeTpm.selection(List.of(7, 7)))
                .isInstanceOfSatisfying(SidecarException.class, e -> assertThat(e.getMessage()).contains("twice"));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void splitsConcatenatedDerAndPemBundles(long seed) {
        Random random = new Random(seed);
        List<byte[]> certs = new ArrayList<>();
        for (int i = 0; i < 1 + random.nextInt(3); i++) {
            certs.add(fakeDer(random, 20 + random.nextInt(2000)));
        }
        byte[] concatenated = certs.stream().reduce(new byte[0], NodeTpmArgumentsTest::concat);
        assertThat(NodeTpm.splitDer(concatenated)).usingElementComparator(Arrays::compare).containsExactlyElementsOf(certs);

        StringBuilder pem = new StringBuilder("issuer bundle\n");
        certs.forEach(c -> pem.append("-----BEGIN CERTIFICATE-----\n")
                .append(Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(c))
                .append("\n-----END CERTIFICATE-----\n"));
        assertThat(NodeTpm.certificatesIn(pem.toString().getBytes()))
                .usingElementComparator(Arrays::compare).containsExactlyElementsOf(certs);
    }

    @Test
    void stopsAtATruncatedDerElement() {
        byte[] der = fakeDer(new Random(9), 300);
        assertThat(NodeTpm.splitDer(Arrays.copyOf(der, der.length - 1))).isEmpty();
    }

    /** A DER SEQUENCE with a long-form length and random content. */
    private static byte[] fakeDer(Random random, int contentLength) {
        byte[] content = new byte[contentLength];
        random.nextBytes(content);
        byte[] header = contentLength < 0x80 ? new byte[] {0x30, (byte) contentLength}
                : contentLength < 0x100 ? new byte[] {0x30, (byte) 0x81, (byte) contentLength}
                : new byte[] {0x30, (byte) 0x82, (byte) (contentLength >>> 8), (byte) contentLength};
        return concat(header, content);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
