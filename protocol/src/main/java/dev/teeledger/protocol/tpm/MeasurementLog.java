package dev.teeledger.protocol.tpm;

import dev.teeledger.protocol.tpm.TpmEvidenceException.Reason;
import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The project measurement log: the ordered list of components (firmware images, WASM modules)
 * that the tpm-sidecar hashed and extended into a PCR with TPM2_PCR_Extend (SHA-256 bank), sent
 * with each quote. {@link QuoteVerifier} replays it to recompute the quoted PCR values; the log is
 * only believed as far as that replay matches the signed pcrDigest.
 *
 * <p>Encoding (all integers big-endian, no padding, nothing after the last entry):
 * <pre>
 *   magic    4 bytes  "TLML"
 *   version  u16      1
 *   count    u16      number of entries, at most {@value #MAX_ENTRIES}
 *   entry × count:
 *     pcr      u8     0..23
 *     kind     u8     1 = FIRMWARE, 2 = WASM
 *     digest   32     SHA-256 of the component (the value passed to TPM2_PCR_Extend)
 *     nameLen  u8     1..255
 *     name     nameLen bytes of UTF-8, no control characters (human label only; not measured)
 * </pre>
 * Only the PCR index and digest are covered by a quote (via the replay); kind and name are
 * unauthenticated labels for humans and must not drive any decision.
 *
 * <p>This is not the TCG crypto-agile event log (TCG_PCR_EVENT2): the sidecar measures only its own
 * components, so a fixed SHA-256 format with no EV_NO_ACTION or locality events suffices.
 *
 * <p>Replay (TPM 2.0 Part 1 §17.2, PC Client Platform Firmware Profile §3.3.4 for initial values):
 * each PCR starts at its reset value, 32 bytes of 0x00 except PCRs 17–22, which start at 0xFF;
 * each entry sets {@code pcr = SHA-256(pcr ‖ digest)} in log order. A quoted PCR the log never
 * extends keeps its initial value; so a log that omits every entry of an extended PCR does not
 * replay to the quoted digest.
 *
 * <p>Immutable; parsing is strict, bounded and throws only {@link TpmEvidenceException} with
 * {@link Reason#LOG_MALFORMED}.
 */
public final class MeasurementLog {

    /** Upper bound on entries (the encoded log is then at most about 300 KiB). */
    public static final int MAX_ENTRIES = 1024;
    /** Number of PCRs in a PC Client TPM's SHA-256 bank. */
    public static final int PCR_COUNT = 24;
    private static final byte[] MAGIC = {'T', 'L', 'M', 'L'};
    private static final int VERSION = 1;
    private static final int DIGEST_SIZE = 32;

    /** What a measured component is. */
    public enum Kind {
        /** HSM firmware image (code 1). */
        FIRMWARE(1),
        /** A WASM module run inside the HSM (code 2). */
        WASM(2);

        private final int code;

        Kind(int code) {
            this.code = code;
        }

        /** The encoded kind byte. */
        public int code() {
            return code;
        }

        static Kind ofCode(int code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            return null;
        }
    }

    /**
     * One measured component.
     *
     * @param pcr    the PCR it was extended into (0..23)
     * @param kind   what it is
     * @param sha256 the SHA-256 digest extended (32 bytes; a copy is kept)
     * @param name   a human label, 1..255 UTF-8 bytes without control characters
     */
    public record Entry(int pcr, Kind kind, byte[] sha256, String name) {

        public Entry {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(name, "name");
            if (pcr < 0 || pcr >= PCR_COUNT) {
                throw new IllegalArgumentException("pcr " + pcr);
            }
            if (sha256 == null || sha256.length != DIGEST_SIZE) {
                throw new IllegalArgumentException("sha256 must be 32 bytes");
            }
            int len = name.getBytes(StandardCharsets.UTF_8).length;
            if (len < 1 || len > 255 || name.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("name must be 1..255 UTF-8 bytes without control characters");
            }
            sha256 = sha256.clone();
        }

        @Override
        public byte[] sha256() {
            return sha256.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && e.pcr == pcr && e.kind == kind && Arrays.equals(e.sha256, sha256)
                    && e.name.equals(name);
        }

        @Override
        public int hashCode() {
            return Objects.hash(pcr, kind, Arrays.hashCode(sha256), name);
        }
    }

    private final List<Entry> entries;

    private MeasurementLog(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** A log of these entries (for the sidecar and tests); at most {@value #MAX_ENTRIES}. */
    public static MeasurementLog of(List<Entry> entries) {
        if (entries.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("more than " + MAX_ENTRIES + " entries");
        }
        return new MeasurementLog(entries);
    }

    /** Parses an encoded log; the input must end exactly after the last entry. */
    public static MeasurementLog parse(byte[] encoded) throws TpmEvidenceException {
        if (encoded == null) {
            throw malformed("log: null");
        }
        try {
            TpmReader r = new TpmReader(encoded);
            if (!Arrays.equals(r.bytes(4, "magic"), MAGIC)) {
                throw malformed("log: bad magic");
            }
            int version = r.u16("version");
            if (version != VERSION) {
                throw malformed("log: unsupported version " + version);
            }
            int count = r.u16("count");
            if (count > MAX_ENTRIES) {
                throw malformed("log: " + count + " entries exceeds " + MAX_ENTRIES);
            }
            List<Entry> entries = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int pcr = r.u8("entry.pcr");
                if (pcr >= PCR_COUNT) {
                    throw malformed("log entry " + i + ": pcr " + pcr);
                }
                Kind kind = Kind.ofCode(r.u8("entry.kind"));
                if (kind == null) {
                    throw malformed("log entry " + i + ": unknown kind");
                }
                byte[] digest = r.bytes(DIGEST_SIZE, "entry.digest");
                int nameLen = r.u8("entry.nameLen");
                if (nameLen == 0) {
                    throw malformed("log entry " + i + ": empty name");
                }
                String name = decodeName(r.bytes(nameLen, "entry.name"), i);
                entries.add(new Entry(pcr, kind, digest, name));
            }
            r.expectEnd("log");
            return new MeasurementLog(entries);
        } catch (TpmFormatException e) {
            throw malformed("log: " + e.getMessage());
        }
    }

    private static String decodeName(byte[] utf8, int i) throws TpmEvidenceException {
        String name;
        try {
            name = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(utf8)).toString();
        } catch (CharacterCodingException e) {
            throw malformed("log entry " + i + ": name is not UTF-8");
        }
        if (name.chars().anyMatch(Character::isISOControl)) {
            throw malformed("log entry " + i + ": control character in name");
        }
        return name;
    }

    private static TpmEvidenceException malformed(String message) {
        return new TpmEvidenceException(Reason.LOG_MALFORMED, message);
    }

    /** The entries in extend order. */
    public List<Entry> entries() {
        return entries;
    }

    /** The canonical encoding (parse(encode()) equals this log). */
    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(MAGIC);
        out.write(VERSION >>> 8);
        out.write(VERSION);
        out.write(entries.size() >>> 8);
        out.write(entries.size());
        for (Entry e : entries) {
            out.write(e.pcr());
            out.write(e.kind().code());
            out.writeBytes(e.sha256);
            byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
            out.write(name.length);
            out.writeBytes(name);
        }
        return out.toByteArray();
    }

    /** The reset value of a SHA-256 PCR: 0xFF… for 17–22 (PC Client), else zeros. */
    public static byte[] initialValue(int pcr) {
        byte[] v = new byte[DIGEST_SIZE];
        if (pcr >= 17 && pcr <= 22) {
            Arrays.fill(v, (byte) 0xff);
        }
        return v;
    }

    /** True iff some entry extends this PCR. */
    public boolean measures(int pcr) {
        return entries.stream().anyMatch(e -> e.pcr() == pcr);
    }

    /** The SHA-256 PCR values after replaying the whole log, indexed by PCR (0..23). */
    public byte[][] replay() {
        byte[][] pcrs = new byte[PCR_COUNT][];
        for (int i = 0; i < PCR_COUNT; i++) {
            pcrs[i] = initialValue(i);
        }
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JDK", e);
        }
        for (Entry e : entries) {
            sha.update(pcrs[e.pcr()]);
            sha.update(e.sha256);
            pcrs[e.pcr()] = sha.digest();
        }
        return pcrs;
    }
}
