package dev.teeledger.sidecar.tpm;

import dev.teeledger.sidecar.evidence.QuoteEvidence;
import dev.teeledger.testkit.swtpm.ProvisionedTpm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** tpm2-tools and swtpm_ioctl steps the sidecar tests need beyond the testkit fixture. */
final class SwtpmTools {

    private SwtpmTools() {}

    /**
     * Runs {@code tpm2_checkquote} (tpm2-tools' own verifier) on a sidecar quote: AK as TPM2B_PUBLIC,
     * PCR values concatenated in selection order with the selection given by {@code -l}.
     */
    static boolean checkquote(Path dir, byte[] akTpmtPublic, QuoteEvidence quote, byte[] nonce) throws Exception {
        Path work = Files.createTempDirectory(dir, "checkquote");
        ByteArrayOutputStream ak = new ByteArrayOutputStream();
        ak.write(akTpmtPublic.length >>> 8);
        ak.write(akTpmtPublic.length);
        ak.writeBytes(akTpmtPublic);
        Files.write(work.resolve("ak.pub"), ak.toByteArray());
        Files.write(work.resolve("q.msg"), quote.attest());
        Files.write(work.resolve("q.sig"), quote.signature());
        ByteArrayOutputStream pcrs = new ByteArrayOutputStream();
        quote.pcrValues().forEach(v -> pcrs.writeBytes(v.sha256()));
        Files.write(work.resolve("q.pcrs"), pcrs.toByteArray());
        String list = "sha256:" + quote.pcrValues().stream().map(v -> Integer.toString(v.index()))
                .collect(Collectors.joining(","));
        return run(work, null, "tpm2_checkquote", "-u", "ak.pub", "-m", "q.msg", "-s", "q.sig", "-f", "q.pcrs",
                "-l", list, "-g", "sha256", "-q", HexFormat.of().formatHex(nonce)) == 0;
    }

    /**
     * A TPM Reset as at an orderly reboot: TPM2_Shutdown(CLEAR) by the OS, swtpm CMD_INIT (power
     * cycle), then TPM2_Startup(CLEAR) as firmware sends it; resetCount goes up, PCRs go back to
     * their reset values, clockInfo.safe stays 1.
     */
    static void reset(ProvisionedTpm tpm) throws Exception {
        Path work = Files.createTempDirectory(tpm.dir(), "reset");
        require(run(work, tpm.tcti(), "tpm2_shutdown", "-c"), "tpm2_shutdown -c");
        require(run(work, null, "swtpm_ioctl", "--tcp", "127.0.0.1:" + tpm.ctrlPort(), "-i"), "swtpm_ioctl -i");
        require(run(work, tpm.tcti(), "tpm2_startup", "-c"), "tpm2_startup -c");
    }

    /** Sends a signal (STOP, CONT) to a process. */
    static void signal(long pid, String signal) throws Exception {
        require(run(Path.of("/tmp"), null, "kill", "-" + signal, Long.toString(pid)), "kill -" + signal);
    }

    private static void require(int rc, String what) {
        if (rc != 0) {
            throw new IllegalStateException(what + " exited " + rc);
        }
    }

    static int run(Path dir, String tcti, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(List.of(cmd)).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(cmd[0] + ".log").toFile());
        if (tcti != null) {
            pb.environment().put("TPM2TOOLS_TCTI", tcti);
        }
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(cmd[0] + " timed out");
        }
        return p.exitValue();
    }
}
