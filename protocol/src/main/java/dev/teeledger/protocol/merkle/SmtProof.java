package dev.teeledger.protocol.merkle;

import dev.teeledger.protocol.merkle.ProofException.Reason;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * A membership or non-membership proof in TEE Ledger's sparse Merkle tree: the sibling hashes
 * along a key's path from the root down to the node where the path ends, plus what sits there.
 * The state store ({@code dev.teeledger.abci.state.MerkleStore#prove}) creates it; the ABCI
 * query handler ships {@link #encode()} as the {@code data} of a CometBFT {@code ProofOp} of type
 * {@value #OP_TYPE}; clients decode it and check {@link #computeRoot} against the app hash of the
 * header at height + 1. Instances are immutable and thread-safe.
 *
 * <h2>Where a path ends</h2>
 * A subtree holding exactly one leaf is stored as that leaf, so a key's path ends at depth
 * {@code d} in one of three terminals:
 * <ul>
 *   <li>{@link Terminal#LEAF} — the leaf of the key itself: proves presence of its value;</li>
 *   <li>{@link Terminal#EMPTY} — an empty subtree: proves absence;</li>
 *   <li>{@link Terminal#OTHER_LEAF} — the leaf of another key whose hash shares the first
 *       {@code d} bits: proves absence, since the key would have to sit in that subtree.</li>
 * </ul>
 *
 * <h2>Encoding (format 1)</h2>
 * <pre>
 * u8      format      = 0x01
 * u8      terminal    0x00 LEAF, 0x01 EMPTY, 0x02 OTHER_LEAF
 * u16 BE  depth d     0 ≤ d ≤ 256
 * 32 B    bitmap      bit i (byte i/8, MSB first) set ⇔ the sibling at level i is non-empty;
 *                     bits ≥ d must be 0; if d &gt; 0, bit d−1 must be 1 (canonical tree)
 * n×32 B  siblings    the non-empty siblings, root first (n = popcount(bitmap))
 * 32 B    keyHash     only for OTHER_LEAF: the other leaf's key hash
 * 32 B    valueHash   only for OTHER_LEAF: the other leaf's value hash
 * </pre>
 * The sibling at level {@code i} is the child of the path's depth-{@code i} node that the path
 * does not take. Nothing may follow the last field. An empty tree is proven by
 * {@code EMPTY} at depth 0. Hashes are defined in {@link SmtHash}.
 */
public final class SmtProof {

    /** The CometBFT {@code ProofOp.type} under which this proof travels. */
    public static final String OP_TYPE = "teeledger:smt:v1";

    /** The only format byte this class reads and writes. */
    public static final int FORMAT = 1;

    private static final int HEADER = 1 + 1 + 2 + SmtHash.LENGTH;

    /** Upper bound on an encoding: header, 256 siblings and the other leaf. */
    public static final int MAX_ENCODED_LENGTH =
            HEADER + SmtHash.MAX_DEPTH * SmtHash.LENGTH + 2 * SmtHash.LENGTH;

    /** What the key's path ends in. */
    public enum Terminal {
        LEAF(0), EMPTY(1), OTHER_LEAF(2);

        private final int tag;

        Terminal(int tag) {
            this.tag = tag;
        }

        static Terminal ofTag(int tag) throws ProofException {
            for (Terminal t : values()) {
                if (t.tag == tag) {
                    return t;
                }
            }
            throw new ProofException(Reason.MALFORMED, "unknown terminal tag " + tag);
        }
    }

    private final Terminal terminal;
    private final int depth;
    /** One entry per level 0..depth-1; null where the sibling is empty. */
    private final byte[][] siblings;
    private final byte[] otherKeyHash;
    private final byte[] otherValueHash;

    private SmtProof(Terminal terminal, int depth, byte[][] siblings, byte[] otherKeyHash,
            byte[] otherValueHash) {
        this.terminal = terminal;
        this.depth = depth;
        this.siblings = siblings;
        this.otherKeyHash = otherKeyHash;
        this.otherValueHash = otherValueHash;
    }

    /**
     * Builds a proof from its parts; used by the store. {@code siblings} has one entry per level
     * from the root down ({@code siblings.length} is the depth), each 32 bytes, with the empty
     * subtree given as {@code null} or 32 zero bytes. The other leaf's hashes are required for
     * {@link Terminal#OTHER_LEAF} and must be null otherwise.
     *
     * @throws IllegalArgumentException if the parts cannot form a canonical proof
     */
    public static SmtProof of(Terminal terminal, byte[][] siblings, byte[] otherKeyHash,
            byte[] otherValueHash) {
        Objects.requireNonNull(terminal, "terminal");
        Objects.requireNonNull(siblings, "siblings");
        if (siblings.length > SmtHash.MAX_DEPTH) {
            throw new IllegalArgumentException("depth " + siblings.length + " > 256");
        }
        byte[][] copy = new byte[siblings.length][];
        for (int i = 0; i < siblings.length; i++) {
            byte[] s = siblings[i];
            if (s != null && s.length != SmtHash.LENGTH) {
                throw new IllegalArgumentException("sibling " + i + " is not 32 bytes");
            }
            copy[i] = s == null || SmtHash.isEmpty(s) ? null : s.clone();
        }
        if (copy.length > 0 && copy[copy.length - 1] == null) {
            throw new IllegalArgumentException("last sibling is empty: tree is not canonical");
        }
        boolean other = terminal == Terminal.OTHER_LEAF;
        if (other != (otherKeyHash != null) || other != (otherValueHash != null)) {
            throw new IllegalArgumentException("other-leaf hashes go with OTHER_LEAF only");
        }
        if (other && (otherKeyHash.length != SmtHash.LENGTH
                || otherValueHash.length != SmtHash.LENGTH)) {
            throw new IllegalArgumentException("other-leaf hashes must be 32 bytes");
        }
        return new SmtProof(terminal, copy.length, copy,
                other ? otherKeyHash.clone() : null, other ? otherValueHash.clone() : null);
    }

    /**
     * Parses an encoding strictly: exact length, known format and tags, depth ≤ 256, no stray
     * bitmap bits, canonical last level. Never reads more than {@link #MAX_ENCODED_LENGTH} bytes.
     *
     * @throws ProofException with {@link Reason#TRUNCATED}, {@link Reason#OVERSIZED},
     *     {@link Reason#UNSUPPORTED_FORMAT} or {@link Reason#MALFORMED}
     */
    public static SmtProof decode(byte[] data) throws ProofException {
        if (data == null) {
            throw new ProofException(Reason.MALFORMED, "proof bytes are null");
        }
        if (data.length > MAX_ENCODED_LENGTH) {
            throw new ProofException(Reason.OVERSIZED,
                    data.length + " bytes exceed the maximum of " + MAX_ENCODED_LENGTH);
        }
        if (data.length < HEADER) {
            throw new ProofException(Reason.TRUNCATED,
                    data.length + " bytes, the header alone needs " + HEADER);
        }
        int format = data[0] & 0xFF;
        if (format != FORMAT) {
            throw new ProofException(Reason.UNSUPPORTED_FORMAT, "format byte " + format);
        }
        Terminal terminal = Terminal.ofTag(data[1] & 0xFF);
        int depth = ((data[2] & 0xFF) << 8) | (data[3] & 0xFF);
        if (depth > SmtHash.MAX_DEPTH) {
            throw new ProofException(Reason.MALFORMED, "depth " + depth + " > 256");
        }
        int bitmapOffset = 4;
        int present = 0;
        for (int i = 0; i < SmtHash.MAX_DEPTH; i++) {
            if (bitAt(data, bitmapOffset, i) == 1) {
                if (i >= depth) {
                    throw new ProofException(Reason.MALFORMED,
                            "bitmap marks level " + i + " beyond depth " + depth);
                }
                present++;
            }
        }
        if (depth > 0 && bitAt(data, bitmapOffset, depth - 1) == 0) {
            throw new ProofException(Reason.MALFORMED,
                    "sibling at the last level is empty: tree is not canonical");
        }
        int expected = HEADER + present * SmtHash.LENGTH
                + (terminal == Terminal.OTHER_LEAF ? 2 * SmtHash.LENGTH : 0);
        if (data.length < expected) {
            throw new ProofException(Reason.TRUNCATED,
                    data.length + " bytes, the announced fields need " + expected);
        }
        if (data.length > expected) {
            throw new ProofException(Reason.OVERSIZED,
                    (data.length - expected) + " trailing bytes after the proof");
        }
        byte[][] siblings = new byte[depth][];
        int pos = HEADER;
        for (int i = 0; i < depth; i++) {
            if (bitAt(data, bitmapOffset, i) == 1) {
                byte[] h = Arrays.copyOfRange(data, pos, pos + SmtHash.LENGTH);
                if (SmtHash.isEmpty(h)) {
                    throw new ProofException(Reason.MALFORMED,
                            "level " + i + " is marked non-empty but holds the empty hash");
                }
                siblings[i] = h;
                pos += SmtHash.LENGTH;
            }
        }
        byte[] otherKey = null;
        byte[] otherValue = null;
        if (terminal == Terminal.OTHER_LEAF) {
            otherKey = Arrays.copyOfRange(data, pos, pos + SmtHash.LENGTH);
            otherValue = Arrays.copyOfRange(data, pos + SmtHash.LENGTH, pos + 2 * SmtHash.LENGTH);
        }
        return new SmtProof(terminal, depth, siblings, otherKey, otherValue);
    }

    /** The canonical encoding described in the class comment; {@code decode(encode())} is equal. */
    public byte[] encode() {
        int present = 0;
        for (byte[] s : siblings) {
            if (s != null) {
                present++;
            }
        }
        int length = HEADER + present * SmtHash.LENGTH
                + (terminal == Terminal.OTHER_LEAF ? 2 * SmtHash.LENGTH : 0);
        byte[] out = new byte[length];
        out[0] = (byte) FORMAT;
        out[1] = (byte) terminal.tag;
        out[2] = (byte) (depth >>> 8);
        out[3] = (byte) depth;
        int pos = HEADER;
        for (int i = 0; i < depth; i++) {
            if (siblings[i] != null) {
                out[4 + (i >>> 3)] |= (byte) (0x80 >>> (i & 7));
                System.arraycopy(siblings[i], 0, out, pos, SmtHash.LENGTH);
                pos += SmtHash.LENGTH;
            }
        }
        if (terminal == Terminal.OTHER_LEAF) {
            System.arraycopy(otherKeyHash, 0, out, pos, SmtHash.LENGTH);
            System.arraycopy(otherValueHash, 0, out, pos + SmtHash.LENGTH, SmtHash.LENGTH);
        }
        return out;
    }

    /**
     * The root implied by this proof for {@code key} holding {@code valueOrNull} (null claims the
     * key is absent). Compare the result with a trusted root, or call {@link #verify}.
     *
     * @throws ProofException {@link Reason#WRONG_KIND} when a presence proof is used for absence
     *     or vice versa; {@link Reason#KEY_MISMATCH} when the other leaf of an absence proof
     *     does not lie on the key's path or is the key itself
     */
    public byte[] computeRoot(byte[] key, byte[] valueOrNull) throws ProofException {
        if (key == null) {
            throw new ProofException(Reason.MALFORMED, "key is null");
        }
        byte[] keyHash = SmtHash.keyHash(key);
        byte[] node;
        switch (terminal) {
            case LEAF -> {
                if (valueOrNull == null) {
                    throw new ProofException(Reason.WRONG_KIND,
                            "this proof shows presence, it cannot show absence");
                }
                node = SmtHash.leaf(keyHash, SmtHash.valueHash(valueOrNull));
            }
            case EMPTY -> {
                requireAbsenceClaim(valueOrNull);
                node = SmtHash.empty();
            }
            case OTHER_LEAF -> {
                requireAbsenceClaim(valueOrNull);
                if (Arrays.equals(otherKeyHash, keyHash)) {
                    throw new ProofException(Reason.KEY_MISMATCH,
                            "the terminal leaf belongs to the key itself");
                }
                if (!SmtHash.samePrefix(otherKeyHash, keyHash, depth)) {
                    throw new ProofException(Reason.KEY_MISMATCH,
                            "the terminal leaf does not lie on the key's path");
                }
                node = SmtHash.leaf(otherKeyHash, otherValueHash);
            }
            default -> throw new IllegalStateException("unreachable");
        }
        byte[] empty = SmtHash.empty();
        for (int level = depth - 1; level >= 0; level--) {
            byte[] sibling = siblings[level] == null ? empty : siblings[level];
            node = SmtHash.bit(keyHash, level) == 0
                    ? SmtHash.inner(node, sibling)
                    : SmtHash.inner(sibling, node);
        }
        return node;
    }

    /**
     * Checks that this proof shows {@code key} holding {@code valueOrNull} (null = absent) under
     * {@code expectedRoot}.
     *
     * @throws ProofException as {@link #computeRoot}, or {@link Reason#ROOT_MISMATCH}
     */
    public void verify(byte[] expectedRoot, byte[] key, byte[] valueOrNull) throws ProofException {
        byte[] root = computeRoot(key, valueOrNull);
        if (expectedRoot == null || !MessageDigest.isEqual(root, expectedRoot)) {
            throw new ProofException(Reason.ROOT_MISMATCH,
                    "the proof implies a different root than the expected one");
        }
    }

    /** What the path ends in. */
    public Terminal terminal() {
        return terminal;
    }

    /** True for a presence proof ({@link Terminal#LEAF}). */
    public boolean provesPresence() {
        return terminal == Terminal.LEAF;
    }

    /** Depth at which the path ends (number of sibling levels). */
    public int depth() {
        return depth;
    }

    private static void requireAbsenceClaim(byte[] valueOrNull) throws ProofException {
        if (valueOrNull != null) {
            throw new ProofException(Reason.WRONG_KIND,
                    "this proof shows absence, it cannot show a value");
        }
    }

    private static int bitAt(byte[] data, int offset, int i) {
        return (data[offset + (i >>> 3)] >>> (7 - (i & 7))) & 1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SmtProof p && Arrays.equals(encode(), p.encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
        return "SmtProof[" + terminal + ", depth=" + depth + "]";
    }
}
