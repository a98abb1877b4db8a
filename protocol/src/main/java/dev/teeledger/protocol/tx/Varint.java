package dev.teeledger.protocol.tx;

import java.io.ByteArrayOutputStream;

/** Unsigned LEB128 varints as protobuf writes them (7 bits per byte, low first). */
public final class Varint {
    private Varint() {}

    public static void write(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    public static byte[] encode(long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(10);
        write(out, value);
        return out.toByteArray();
    }
}
