package dev.teeledger.sidecar.tpm;

import java.util.Arrays;

/**
 * Reads the response parameters of a raw TPM 2.0 response (Part 1 §18.8, Part 3 response
 * layouts): {@code tag | responseSize | responseCode | handles | [parameterSize] | parameters |
 * [sessions]}, where parameterSize is present only when the tag is TPM_ST_SESSIONS. Lets the
 * sidecar hand out TPMS_ATTEST, TPMT_SIGNATURE and TPMT_PUBLIC exactly as the TPM produced them.
 */
final class RawResponse {

    private static final int ST_SESSIONS = 0x8002;

    private final byte[] bytes;
    private final int end;
    private int pos;

    /** @param handles number of handles the command returns before its parameters */
    RawResponse(byte[] response, int handles) {
        if (response.length < 10) {
            throw new IllegalStateException("TPM response of " + response.length + " bytes");
        }
        this.bytes = response;
        int tag = u16(0);
        pos = 10 + 4 * handles;
        if (tag == ST_SESSIONS) {
            int parameterSize = u32(pos);
            pos += 4;
            end = pos + parameterSize;
        } else {
            end = response.length;
        }
        if (end > response.length) {
            throw new IllegalStateException("TPM response parameters overrun the buffer");
        }
    }

    /** The contents of the next TPM2B field (size prefix removed). */
    byte[] tpm2b() {
        int size = u16(pos);
        int from = pos + 2;
        if (from + size > end) {
            throw new IllegalStateException("TPM2B of " + size + " bytes overruns the parameters");
        }
        pos = from + size;
        return Arrays.copyOfRange(bytes, from, pos);
    }

    /** All remaining parameter bytes (the last parameter when it is not size-prefixed). */
    byte[] rest() {
        byte[] out = Arrays.copyOfRange(bytes, pos, end);
        pos = end;
        return out;
    }

    private int u16(int at) {
        if (at + 2 > bytes.length) {
            throw new IllegalStateException("TPM response truncated");
        }
        return ((bytes[at] & 0xff) << 8) | (bytes[at + 1] & 0xff);
    }

    private int u32(int at) {
        if (at + 4 > bytes.length) {
            throw new IllegalStateException("TPM response truncated");
        }
        return ((bytes[at] & 0xff) << 24) | ((bytes[at + 1] & 0xff) << 16) | ((bytes[at + 2] & 0xff) << 8)
                | (bytes[at + 3] & 0xff);
    }
}
