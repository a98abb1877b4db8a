package dev.teeledger.sidecar.api;

import dev.teeledger.testkit.swtpm.SwtpmFixture;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts one swtpm (testkit fixture, ECC AK) for a {@code @QuarkusTest} and points the sidecar at
 * it: data port, a fresh state directory, the fixture's intermediate certificate, one measured
 * firmware file, and a free HTTP test port shared by REST and gRPC.
 */
public class SwtpmSidecarResource implements QuarkusTestResourceLifecycleManager {

    static volatile SwtpmFixture fixture;
    static volatile Path firmware;

    @Override
    public Map<String, String> start() {
        fixture = SwtpmFixture.start(SwtpmFixture.AkAlgorithm.ECC);
        try {
            Path work = Files.createTempDirectory("sidecar-api-test");
            Path intermediate = Files.write(work.resolve("intermediate.der"), fixture.intermediateCertificate());
            firmware = Files.write(work.resolve("hsm-firmware.bin"), "firmware v2".getBytes(StandardCharsets.UTF_8));
            String port = Integer.toString(freePort());
            return Map.of(
                    "teeledger.sidecar.tpm.port", Integer.toString(fixture.tpm(0).dataPort()),
                    "teeledger.sidecar.state-dir", work.resolve("state").toString(),
                    "teeledger.sidecar.chain-id", "teeledger-test",
                    "teeledger.sidecar.intermediate-files", intermediate.toString(),
                    "teeledger.sidecar.measurement.firmware", firmware.toString(),
                    "quarkus.http.test-port", port,
                    "quarkus.grpc.clients.sidecar.host", "127.0.0.1",
                    "quarkus.grpc.clients.sidecar.port", port);
        } catch (IOException e) {
            fixture.close();
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
