package dev.teeledger.sidecar.tpm;

import dev.teeledger.protocol.tpm.MeasurementLog;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Everything {@link NodeTpm} needs to know about its TPM and host; the Quarkus layer builds it from
 * {@code teeledger.sidecar.*} properties, tests build it directly.
 *
 * @param ekHandle          persistent handle of the RSA-2048 EK (TCG: 0x81010001)
 * @param ekCertNvIndex     NV index of the EK certificate (TCG: 0x01C00002)
 * @param akHandle          persistent handle where the AK lives or is created
 * @param nodeKeyHandle     persistent handle where the node key lives or is created
 * @param akAlgorithm       algorithm of an AK the sidecar creates
 * @param intermediateFiles DER or PEM certificates added to the ones found in NV
 * @param stateDir          directory for the sealed VRF key, identity evidence and measurement log
 * @param chainId           chain id the VRF key binding names
 * @param endpoint          endpoint advertised to verifiers
 * @param measurementPcr    PCR (0..23) extended with the measured components
 * @param components        files measured at start, in order
 */
public record NodeTpmConfig(int ekHandle, int ekCertNvIndex, int akHandle, int nodeKeyHandle, AkAlgorithm akAlgorithm,
        List<Path> intermediateFiles, Path stateDir, String chainId, String endpoint, int measurementPcr,
        List<Component> components) {

    public NodeTpmConfig {
        Objects.requireNonNull(akAlgorithm, "akAlgorithm");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(chainId, "chainId");
        Objects.requireNonNull(endpoint, "endpoint");
        intermediateFiles = List.copyOf(intermediateFiles);
        components = List.copyOf(components);
        if (measurementPcr < 0 || measurementPcr >= MeasurementLog.PCR_COUNT) {
            throw new IllegalArgumentException("measurement PCR " + measurementPcr + " is not 0..23");
        }
        if (chainId.isEmpty() || chainId.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
            throw new IllegalArgumentException("chain id must be 1..255 UTF-8 bytes");
        }
    }

    /** A measured file and what it is. The log names it by its file name. */
    public record Component(MeasurementLog.Kind kind, Path path) {}

    /** Handles of the TCG defaults and the testkit swtpm fixture (AK 0x81010002, node key 0x81000010). */
    public static NodeTpmConfig defaults(Path stateDir, String chainId, String endpoint) {
        return new NodeTpmConfig(0x81010001, 0x01C00002, 0x81010002, 0x81000010, AkAlgorithm.ECC, List.of(), stateDir,
                chainId, endpoint, 15, List.of());
    }

    /** A copy with other AK and node key handles. */
    public NodeTpmConfig withKeyHandles(int ak, int nodeKey) {
        return new NodeTpmConfig(ekHandle, ekCertNvIndex, ak, nodeKey, akAlgorithm, intermediateFiles, stateDir, chainId,
                endpoint, measurementPcr, components);
    }

    /** A copy measuring these components into {@code pcr}. */
    public NodeTpmConfig withMeasurements(int pcr, List<Component> measured) {
        return new NodeTpmConfig(ekHandle, ekCertNvIndex, akHandle, nodeKeyHandle, akAlgorithm, intermediateFiles,
                stateDir, chainId, endpoint, pcr, measured);
    }

    /** A copy with extra intermediate certificate files. */
    public NodeTpmConfig withIntermediateFiles(List<Path> files) {
        return new NodeTpmConfig(ekHandle, ekCertNvIndex, akHandle, nodeKeyHandle, akAlgorithm, files, stateDir,
                chainId, endpoint, measurementPcr, components);
    }
}
