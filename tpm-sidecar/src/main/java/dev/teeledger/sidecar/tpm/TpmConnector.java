package dev.teeledger.sidecar.tpm;

import java.time.Duration;
import tss.TpmDevice;
import tss.TpmDeviceLinux;

/**
 * Opens a fresh connection to the node TPM; {@link TpmSession} calls it at start and after a
 * connection broke. Two backends, chosen by configuration: the Linux kernel resource manager
 * ({@code /dev/tpmrm0}, which isolates our transient handles from other TPM users) and a TPM
 * simulator on TCP (swtpm in development and tests).
 */
@FunctionalInterface
public interface TpmConnector {

    /**
     * A connected device. Throws {@link tss.TpmException} (or another runtime exception) when the
     * TPM cannot be reached; never blocks longer than the backend's connect timeout.
     */
    TpmDevice open();

    /** A human description for logs and health output, e.g. {@code tcp://127.0.0.1:2321}. */
    default String describe() {
        return toString();
    }

    /** swtpm (or the MS simulator) on {@code host:port}, bounded by the given timeouts. */
    static TpmConnector tcp(String host, int port, Duration connectTimeout, Duration ioTimeout) {
        return new TpmConnector() {
            @Override
            public TpmDevice open() {
                TcpTpmDevice device = new TcpTpmDevice(host, port, connectTimeout, ioTimeout);
                device.connect();
                return device;
            }

            @Override
            public String describe() {
                return "tcp://" + host + ":" + port;
            }
        };
    }

    /**
     * The Linux TPM character device through TSS.Java's {@link TpmDeviceLinux}, which opens
     * {@code /dev/tpmrm0} (kernel resource manager) and falls back to {@code /dev/tpm0}. Reads
     * block in the kernel, which enforces the TPM's command durations; {@link TpmSession}'s call
     * timeout bounds what a caller waits.
     */
    static TpmConnector linuxDevice() {
        return new TpmConnector() {
            @Override
            public TpmDevice open() {
                TpmDeviceLinux device = new TpmDeviceLinux();
                if (!device.connect()) {
                    throw new tss.TpmException("no TPM device: neither /dev/tpmrm0 nor /dev/tpm0 can be opened");
                }
                return device;
            }

            @Override
            public String describe() {
                return "device:/dev/tpmrm0";
            }
        };
    }
}
