package dev.teeledger.testkit.swtpm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teeledger.testkit.swtpm.SwtpmFixture.AkAlgorithm;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fixture's own contract: listening ports, recorded PIDs, and nothing left behind on close. */
class SwtpmFixtureIT {

    @Test
    void startsListeningTpmsAndLeavesNothingRunningOnClose() throws Exception {
        SwtpmFixture fixture = SwtpmFixture.start(AkAlgorithm.ECC);
        List<Long> pids;
        ProvisionedTpm tpm;
        try {
            tpm = fixture.tpm(0);
            pids = fixture.pids();
            assertThat(pids).isNotEmpty();
            assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true));
            assertThat(tpm.ctrlPort()).isEqualTo(tpm.dataPort() + 1);
            assertThat(tpm.tcti()).isEqualTo("swtpm:host=127.0.0.1,port=" + tpm.dataPort());
            assertThat(listening(tpm.dataPort())).isTrue();
            assertThat(tpm.ekCertificate()).isNotEmpty();
            assertThat(tpm.rootCertificate()).isEqualTo(fixture.rootCertificate());
            // swtpm 0.7's root is self-signed by CN=swtpm-localca-rootca; the intermediate signs EK certs.
            assertThat(fixture.intermediateCertificate()).isNotEqualTo(fixture.rootCertificate());
        } finally {
            fixture.close();
        }
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid %d", pid).isFalse();
        }
        assertThat(listening(tpm.dataPort())).isFalse();
        assertThat(Files.exists(fixture.workDir())).isFalse();
        fixture.close(); // idempotent
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
