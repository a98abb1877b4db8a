package dev.teeledger.sidecar.tpm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The sidecar's state directory: small binary files written atomically (temp file, fsync,
 * rename) with owner-only permissions. Format of each record file: 4-byte magic, then fields as
 * {@code u16 length ‖ bytes}. Nothing secret is stored in clear: the VRF key is a TPM-sealed blob.
 */
final class StateFiles {

    private final Path dir;

    StateFiles(Path dir) {
        this.dir = dir;
    }

    Path path(String name) {
        return dir.resolve(name);
    }

    /** The fields of {@code name}, or null if it does not exist or is not a well-formed record. */
    List<byte[]> read(String name, String magic) throws IOException {
        Path p = dir.resolve(name);
        if (!Files.exists(p)) {
            return null;
        }
        byte[] b = Files.readAllBytes(p);
        byte[] m = magic.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (b.length < 4 || !Arrays.equals(Arrays.copyOf(b, 4), m)) {
            return null;
        }
        List<byte[]> fields = new ArrayList<>();
        int pos = 4;
        while (pos < b.length) {
            if (pos + 2 > b.length) {
                return null;
            }
            int len = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
            pos += 2;
            if (pos + len > b.length) {
                return null;
            }
            fields.add(Arrays.copyOfRange(b, pos, pos + len));
            pos += len;
        }
        return fields;
    }

    void write(String name, String magic, byte[]... fields) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(magic.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        for (byte[] f : fields) {
            if (f.length > 0xffff) {
                throw new IllegalArgumentException("field of " + f.length + " bytes");
            }
            out.write(f.length >>> 8);
            out.write(f.length);
            out.writeBytes(f);
        }
        writeRaw(name, out.toByteArray());
    }

    byte[] readRaw(String name) throws IOException {
        Path p = dir.resolve(name);
        return Files.exists(p) ? Files.readAllBytes(p) : null;
    }

    void writeRaw(String name, byte[] content) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(name + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(tmp);
        }
        try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(content));
            ch.force(true);
        }
        try {
            Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
