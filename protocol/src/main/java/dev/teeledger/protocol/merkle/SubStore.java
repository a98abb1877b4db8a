package dev.teeledger.protocol.merkle;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The fixed partition of the application state into sub-stores (ADR 0010). Each sub-store is its
 * own sparse Merkle tree; the app hash is the root of a small top-level tree that maps every
 * sub-store's {@link #storeName() name} to its root. A key belongs to the sub-store with the
 * longest {@link #prefixes() prefix} the key starts with, or to {@link #DEFAULT} if none does.
 *
 * <p>The state store in abci-app routes every write with {@link #of(byte[])}; verifiers
 * (chain-client's light client, {@link StateProof}) route the queried key the same way and
 * insist that the proof passes through that sub-store: without that check a node could prove
 * a present key "absent" from some other sub-store. The table is therefore consensus- and
 * wire-critical: changing a row changes app hashes and proofs and needs a state migration at an
 * upgrade height. Appending a row for a new module prefix is the usual change; it must land
 * before any network stores keys under that prefix (they would otherwise sit in
 * {@link #DEFAULT}). Stateless and thread-safe.
 */
public enum SubStore {
    /** Chain bookkeeping: chain id, last block info. */
    APP(1, "app", "app/"),
    /** Governance keys, nonce and parameters. */
    GOV(2, "gov", "gov/"),
    /** Manufacturer roots. */
    MANUFACTURER(3, "mfr", "mfr/"),
    /** Firmware allow-list. */
    FIRMWARE(4, "fw", "fw/"),
    /** HSM records and their indexes. */
    HSM(5, "hsm", "hsm/"),
    /**
     * Credit's global records (index, supply, last normalization) and its few reporter records:
     * a tree of a handful of leaves, so normalization rehashes the same few nodes at any
     * number of accounts.
     */
    CREDIT(6, "credit", "credit/"),
    /** One credit account per HSM. */
    CREDIT_ACCOUNTS(7, "credit.acct", "credit/acct/"),
    /** Receipts of counted activity reports (grow with every report). */
    CREDIT_REPORTS(8, "credit.report", "credit/report/"),
    /** Every key no other row claims. */
    DEFAULT(9, "default"),
    /**
     * Per-account share history (attestation weighs verifiers by their shares at a round's
     * opening): grows with the accounts, so it stays out of the small {@code credit} tree.
     */
    CREDIT_HISTORY(10, "credit.history", "credit/history/"),
    /** Attestation rounds, votes, queues, beacon, liveness and bindings. */
    ATTESTATION(11, "attestation", "attestation/");

    private static final SubStore[] BY_PREFIX_LENGTH;
    private static final byte[][] PREFIX_OF;

    static {
        // (prefix, store) pairs, longest prefix first, so the first match is the longest.
        List<Object[]> pairs = new java.util.ArrayList<>();
        for (SubStore s : values()) {
            for (byte[] p : s.prefixes) {
                pairs.add(new Object[] {p, s});
            }
        }
        pairs.sort(Comparator.comparingInt((Object[] e) -> -((byte[]) e[0]).length)
                .thenComparing(e -> (byte[]) e[0], Arrays::compareUnsigned));
        BY_PREFIX_LENGTH = new SubStore[pairs.size()];
        PREFIX_OF = new byte[pairs.size()][];
        for (int i = 0; i < pairs.size(); i++) {
            PREFIX_OF[i] = (byte[]) pairs.get(i)[0];
            BY_PREFIX_LENGTH[i] = (SubStore) pairs.get(i)[1];
        }
    }

    private final int code;
    private final String storeName;
    private final byte[] nameBytes;
    private final byte[][] prefixes;

    SubStore(int code, String storeName, String... prefixes) {
        this.code = code;
        this.storeName = storeName;
        this.nameBytes = storeName.getBytes(StandardCharsets.UTF_8);
        this.prefixes = new byte[prefixes.length][];
        for (int i = 0; i < prefixes.length; i++) {
            this.prefixes[i] = prefixes[i].getBytes(StandardCharsets.UTF_8);
        }
    }

    /** The sub-store {@code key} belongs to: longest matching prefix, else {@link #DEFAULT}. */
    public static SubStore of(byte[] key) {
        for (int i = 0; i < PREFIX_OF.length; i++) {
            byte[] p = PREFIX_OF[i];
            if (key.length >= p.length && Arrays.equals(key, 0, p.length, p, 0, p.length)) {
                return BY_PREFIX_LENGTH[i];
            }
        }
        return DEFAULT;
    }

    /** The sub-store with {@code code}, or null. */
    public static SubStore ofCode(int code) {
        for (SubStore s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return null;
    }

    /**
     * A stable number 1..255 naming the sub-store in one byte (the state store's node keys);
     * 0 is left for the top-level tree.
     */
    public int code() {
        return code;
    }

    /** The sub-store's key in the top-level tree and in the second proof op. */
    public String storeName() {
        return storeName;
    }

    /** {@link #storeName()} as UTF-8 bytes (a fresh copy). */
    public byte[] nameBytes() {
        return nameBytes.clone();
    }

    /** The key prefixes this sub-store claims (fresh copies); none for {@link #DEFAULT}. */
    public List<byte[]> prefixes() {
        return Arrays.stream(prefixes).map(byte[]::clone).toList();
    }

    /**
     * Whether a key starting with {@code prefix} can belong to this sub-store (used to skip
     * sub-stores when scanning an old version). {@link #DEFAULT} can hold any key.
     */
    public boolean mayHoldKeysStartingWith(byte[] prefix) {
        if (this == DEFAULT) {
            return true;
        }
        for (byte[] p : prefixes) {
            int n = Math.min(p.length, prefix.length);
            if (Arrays.equals(p, 0, n, prefix, 0, n)) {
                return true;
            }
        }
        return false;
    }
}
