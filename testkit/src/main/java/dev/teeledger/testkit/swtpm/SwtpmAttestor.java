package dev.teeledger.testkit.swtpm;

import dev.teeledger.protocol.tpm.MeasurementLog.Entry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * What an HSM's TPM does for an attestation, done with tpm2-tools against a fixture's swtpm:
 * extend a measurement into a PCR, and answer a credential-activation challenge under the EK's
 * {@code PolicySecret(TPM_RH_ENDORSEMENT)} session. Quotes come from {@link SwtpmFixture#quote}.
 * Test-side stand-in for the tpm-sidecar; every command has a timeout and flushes its sessions.
 */
public final class SwtpmAttestor {
    private SwtpmAttestor() {}

    /** Extends {@code entry}'s digest into its PCR (SHA-256 bank). */
    public static void extend(ProvisionedTpm tpm, Entry entry) {
        try {
            Path dir = Files.createTempDirectory(tpm.dir(), "extend");
            if (tool(tpm, dir, "tpm2_pcrextend", entry.pcr() + ":sha256=" + HexFormat.of().formatHex(entry.sha256())) != 0) {
                throw new IllegalStateException("tpm2_pcrextend failed: " + Files.readString(dir.resolve("tpm2_pcrextend.log")));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot extend a PCR of swtpm " + tpm.index(), e);
        }
    }

    /**
     * Runs {@code TPM2_ActivateCredential} on a tpm2-tools credential file (AK as the activated
     * object, EK as the decryption key). Returns the recovered secret, or null when the TPM
     * refuses (wrong EK or wrong AK name).
     */
    public static byte[] activate(ProvisionedTpm tpm, byte[] credentialFile) {
        try {
            Path dir = Files.createTempDirectory(tpm.dir(), "activate");
            Files.write(dir.resolve("cred.bin"), credentialFile);
            try {
                if (tool(tpm, dir, "tpm2_startauthsession", "--policy-session", "-S", "s.ctx") != 0
                        || tool(tpm, dir, "tpm2_policysecret", "-S", "s.ctx", "-c", "e") != 0) {
                    throw new IllegalStateException("cannot open the EK policy session");
                }
                int rc = tool(tpm, dir, "tpm2_activatecredential", "-c", SwtpmFixture.AK_HANDLE, "-C",
                        SwtpmFixture.EK_HANDLE, "-i", "cred.bin", "-o", "act.out", "-P", "session:s.ctx");
                return rc == 0 ? Files.readAllBytes(dir.resolve("act.out")) : null;
            } finally {
                tool(tpm, dir, "tpm2_flushcontext", "-l");
                tool(tpm, dir, "tpm2_flushcontext", "-t");
            }
        } catch (IOException e) {
            throw new IllegalStateException("credential activation on swtpm " + tpm.index() + " failed to run", e);
        }
    }

    private static int tool(ProvisionedTpm tpm, Path dir, String... cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(cmd[0] + ".log").toFile());
        pb.environment().put("TPM2TOOLS_TCTI", tpm.tcti());
        Process p = pb.start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(cmd[0] + " timed out");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(cmd[0] + " interrupted", e);
        }
        return p.exitValue();
    }
}
