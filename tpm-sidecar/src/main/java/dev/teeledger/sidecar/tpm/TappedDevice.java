package dev.teeledger.sidecar.tpm;

import tss.TpmDevice;

/**
 * Forwards to a real device and keeps the last raw response, so that signed TPM structures
 * (TPMS_ATTEST, TPMT_SIGNATURE, TPMT_PUBLIC) are returned exactly as the TPM produced them
 * rather than as TSS.Java re-marshals its parsed objects (TSS.Java's quote check works on such
 * re-marshalled bytes; verifiers must see the received ones). Confined to the TPM worker thread.
 */
final class TappedDevice extends TpmDevice {

    private final TpmDevice inner;
    private byte[] lastResponse = new byte[0];

    TappedDevice(TpmDevice inner) {
        this.inner = inner;
    }

    @Override
    public boolean connect() {
        return inner.connect();
    }

    @Override
    public void close() {
        try {
            inner.close();
        } catch (Exception ignored) {
            // closing a broken device is best effort
        }
    }

    @Override
    public void dispatchCommand(byte[] command) {
        lastResponse = new byte[0];
        inner.dispatchCommand(command);
    }

    @Override
    public byte[] getResponse() {
        byte[] r = inner.getResponse();
        lastResponse = r;
        return r;
    }

    @Override
    public boolean responseReady() {
        return inner.responseReady();
    }

    byte[] lastResponse() {
        return lastResponse;
    }
}
