package dev.teeledger.sidecar.api;

import dev.teeledger.sidecar.tpm.AkAlgorithm;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The sidecar's configuration, {@code teeledger.sidecar.*}. Defaults suit one development machine
 * (swtpm on loopback port 2321, TCG default handles); the Helm chart sets the device backend.
 * Handles and NV indices are hexadecimal strings such as {@code 0x81010001}.
 */
@ConfigMapping(prefix = "teeledger.sidecar")
public interface SidecarConfig {

    /** How the TPM is reached. */
    Tpm tpm();

    /** Persistent handles and NV indices. */
    Handles handles();

    /** Measured components. */
    Measurement measurement();

    /** Directory for the sealed VRF key, the saved identity evidence and the measurement log. */
    @WithDefault("sidecar-state")
    Path stateDir();

    /** Chain id the VRF key binding names (must equal the chain the HSM joins). */
    @WithDefault("teeledger-local")
    String chainId();

    /** Endpoint advertised in GetIdentity, where verifiers reach this sidecar. */
    @WithDefault("http://127.0.0.1:8080")
    String endpoint();

    /** Intermediate CA certificates (DER or PEM files) added to those found in the TPM's NV chain indices. */
    Optional<List<Path>> intermediateFiles();

    /** Algorithm of an AK the sidecar creates when none exists at the AK handle. */
    @WithDefault("ECC")
    AkAlgorithm akAlgorithm();

    /** TPM connection settings. */
    interface Tpm {
        /** {@code tcp} (swtpm / TPM simulator) or {@code device} (/dev/tpmrm0, falling back to /dev/tpm0). */
        @WithDefault("tcp")
        String backend();

        /** Simulator host (tcp backend). */
        @WithDefault("127.0.0.1")
        String host();

        /** Simulator data port (tcp backend); swtpm's control port is not used. */
        @WithDefault("2321")
        int port();

        /** Longest wait for a TCP connection to the simulator. */
        @WithDefault("2S")
        Duration connectTimeout();

        /** Longest wait for one TPM response on the tcp backend. */
        @WithDefault("20S")
        Duration ioTimeout();

        /** Longest time a caller waits for a TPM operation, queueing included. */
        @WithDefault("30S")
        Duration callTimeout();
    }

    /** Where the identity lives in the TPM. */
    interface Handles {
        /** Persistent RSA-2048 EK (TCG EK Credential Profile). */
        @WithDefault("0x81010001")
        String ek();

        /** NV index of the RSA-2048 EK certificate. */
        @WithDefault("0x01C00002")
        String ekCertificate();

        /** Persistent AK (the testkit swtpm fixture uses the same handle). */
        @WithDefault("0x81010002")
        String ak();

        /** Persistent ECC P-256 node key (the testkit swtpm fixture uses the same handle). */
        @WithDefault("0x81000010")
        String nodeKey();
    }

    /** Components measured into a PCR at start. */
    interface Measurement {
        /** PCR extended with the measurements (15: unused by firmware and common boot loaders). */
        @WithDefault("15")
        int pcr();

        /** Firmware images, measured in this order. */
        Optional<List<Path>> firmware();

        /** System WASM modules, measured after the firmware images. */
        Optional<List<Path>> wasm();
    }
}
