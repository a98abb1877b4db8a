package dev.teeledger.protocol.tpm;

import dev.teeledger.protocol.tpm.TpmFormatException.Reason;
import java.util.Arrays;

/**
 * Bounded big-endian cursor over TPM marshalled bytes (TPM 2.0 Part 1 §18: all integers are
 * big-endian; TPM2B is a UINT16 size followed by that many bytes). Every read checks the
 * remaining length first, so no read ever throws anything but {@link TpmFormatException}.
 */
final class TpmReader {

    private final byte[] data;
    private final int end;
    private int pos;

    TpmReader(byte[] data) {
        this(data, 0, data.length);
    }

    private TpmReader(byte[] data, int start, int end) {
        this.data = data;
        this.pos = start;
        this.end = end;
    }

    int position() {
        return pos;
    }

    int remaining() {
        return end - pos;
    }

    private void need(int n, String field) throws TpmFormatException {
        if (n < 0 || end - pos < n) {
            throw new TpmFormatException(Reason.TRUNCATED,
                    field + ": needs " + n + " bytes at offset " + pos + ", " + (end - pos) + " left");
        }
    }

    int u8(String field) throws TpmFormatException {
        need(1, field);
        return data[pos++] & 0xff;
    }

    int u16(String field) throws TpmFormatException {
        need(2, field);
        int v = ((data[pos] & 0xff) << 8) | (data[pos + 1] & 0xff);
        pos += 2;
        return v;
    }

    long u32(String field) throws TpmFormatException {
        need(4, field);
        long v = ((long) (data[pos] & 0xff) << 24) | ((data[pos + 1] & 0xff) << 16)
                | ((data[pos + 2] & 0xff) << 8) | (data[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    long u64(String field) throws TpmFormatException {
        long hi = u32(field);
        long lo = u32(field);
        return (hi << 32) | lo;
    }

    byte[] bytes(int n, String field) throws TpmFormatException {
        need(n, field);
        byte[] out = Arrays.copyOfRange(data, pos, pos + n);
        pos += n;
        return out;
    }

    /** A TPM2B: UINT16 size then content; {@code max} is the Part 2 bound of the buffer. */
    byte[] tpm2b(int max, String field) throws TpmFormatException {
        int size = u16(field + ".size");
        if (size > max) {
            throw new TpmFormatException(Reason.SIZE_OUT_OF_RANGE,
                    field + ": size " + size + " exceeds " + max);
        }
        return bytes(size, field);
    }

    /** Rejects bytes left over after a complete structure. */
    void expectEnd(String structure) throws TpmFormatException {
        if (pos != end) {
            throw new TpmFormatException(Reason.TRAILING_BYTES,
                    structure + ": " + (end - pos) + " trailing bytes");
        }
    }

    /** Unwraps a TPM2B whose size must cover exactly the rest of the input. */
    static byte[] unwrapTpm2b(byte[] data, int max, String field) throws TpmFormatException {
        TpmReader r = new TpmReader(data);
        byte[] inner = r.tpm2b(max, field);
        r.expectEnd(field);
        return inner;
    }
}
