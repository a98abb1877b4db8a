package dev.teeledger.abci.state;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * Staged, in-memory changes over the last committed version of a {@link MerkleStore}. The ABCI
 * layer opens one per block with {@link MerkleStore#newWorkingSet()}, gives each transaction a
 * {@link #branch()} that it merges on success and drops on failure (all-or-nothing), reads
 * {@link #rootHash()} as the app hash in {@code FinalizeBlock}, and hands the set to
 * {@link MerkleStore#commit} in {@code Commit}.
 *
 * <p>Reads see the set's own changes, then its parent's, then the committed state. Iteration
 * order is by unsigned key bytes, never by hash-map order. A working set is confined to one
 * thread (the consensus connection); it becomes unusable after it is committed or merged.
 * Using it after the store committed another working set throws {@link IllegalStateException}.
 */
public final class WorkingSet implements KvStore {

    /** Longest key accepted by {@link #put}. */
    public static final int MAX_KEY_LENGTH = 4096;

    /** Longest value accepted by {@link #put}. */
    public static final int MAX_VALUE_LENGTH = 16 << 20;

    /** Marks a staged deletion in an overlay; compared by identity. */
    static final byte[] TOMBSTONE = new byte[0];

    private final MerkleStore store;
    private final WorkingSet parent;
    private final long baseVersion;
    private final TreeMap<byte[], byte[]> changes = new TreeMap<>(Arrays::compareUnsigned);
    private boolean finished;
    private StateUpdate cachedUpdate;

    WorkingSet(MerkleStore store, WorkingSet parent, long baseVersion) {
        this.store = store;
        this.parent = parent;
        this.baseVersion = baseVersion;
    }

    @Override
    public byte[] get(byte[] key) {
        checkUsable();
        Objects.requireNonNull(key, "key");
        for (WorkingSet ws = this; ws != null; ws = ws.parent) {
            byte[] v = ws.changes.get(key);
            if (v == TOMBSTONE) {
                return null;
            }
            if (v != null) {
                return v.clone();
            }
        }
        return store.committedGet(key);
    }

    @Override
    public void scan(byte[] prefix, BiConsumer<byte[], byte[]> visitor) {
        checkUsable();
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(visitor, "visitor");
        try (Cursor c = cursor(prefix)) {
            for (; c.valid(); c.next()) {
                visitor.accept(c.key().clone(), c.value().clone());
            }
        }
    }

    /** Merged cursor without tombstones. */
    private Cursor cursor(byte[] prefix) {
        Cursor below = parent != null ? parent.rawCursor(prefix) : store.committedCursor(prefix);
        return new MergedCursor(snapshot(prefix), below, true);
    }

    /** Merged cursor that still reports tombstones, for use by a child. */
    private Cursor rawCursor(byte[] prefix) {
        Cursor below = parent != null ? parent.rawCursor(prefix) : store.committedCursor(prefix);
        return new MergedCursor(snapshot(prefix), below, false);
    }

    private List<Map.Entry<byte[], byte[]>> snapshot(byte[] prefix) {
        List<Map.Entry<byte[], byte[]>> out = new ArrayList<>();
        for (Map.Entry<byte[], byte[]> e : changes.tailMap(prefix, true).entrySet()) {
            if (!TreeReader.startsWith(e.getKey(), prefix)) {
                break;
            }
            out.add(Map.entry(e.getKey(), e.getValue()));
        }
        return out;
    }

    @Override
    public void put(byte[] key, byte[] value) {
        checkUsable();
        checkKey(key);
        Objects.requireNonNull(value, "value");
        if (value.length > MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException(
                    "value of " + value.length + " bytes exceeds " + MAX_VALUE_LENGTH);
        }
        changes.put(key.clone(), value.clone());
        cachedUpdate = null;
    }

    @Override
    public void delete(byte[] key) {
        checkUsable();
        checkKey(key);
        changes.put(key.clone(), TOMBSTONE);
        cachedUpdate = null;
    }

    /**
     * A child overlay for one transaction. Its writes are invisible to this set until
     * {@link #mergeIntoParent()}; dropping it discards them. While a child is in use, write only
     * through the child.
     */
    public WorkingSet branch() {
        checkUsable();
        return new WorkingSet(store, this, baseVersion);
    }

    /**
     * Applies this branch's changes to its parent, in one step, and retires this branch.
     *
     * @throws IllegalStateException on a top-level working set or a retired branch
     */
    public void mergeIntoParent() {
        checkUsable();
        if (parent == null) {
            throw new IllegalStateException("only a branch can be merged into its parent");
        }
        parent.checkUsable();
        parent.changes.putAll(changes);
        parent.cachedUpdate = null;
        finished = true;
    }

    /**
     * The root hash the store will have once this set (with its ancestors' changes) is
     * committed. Rehashes only the paths of staged keys in their sub-stores and the top-level
     * entries of those sub-stores; a top-level set caches the result until its next write, and
     * {@link MerkleStore#commit} reuses it.
     *
     * @throws UncheckedStoreException if a tree node cannot be read
     */
    public byte[] rootHash() {
        checkUsable();
        try {
            return update().rootHash().clone();
        } catch (StoreException e) {
            throw new UncheckedStoreException(e);
        }
    }

    /** True when this set itself stages no change (a put then delete still counts as a change). */
    public boolean isEmpty() {
        return changes.isEmpty();
    }

    /** Number of keys this set itself stages. */
    public int size() {
        return changes.size();
    }

    StateUpdate update() throws StoreException {
        if (parent == null && cachedUpdate != null) {
            return cachedUpdate;
        }
        StateUpdate result = store.computeUpdate(effectiveChanges(), baseVersion);
        if (parent == null) {
            cachedUpdate = result;
        }
        return result;
    }

    /** All staged changes from the top-level set down to this one, later ones winning. */
    NavigableMap<byte[], byte[]> effectiveChanges() {
        if (parent == null) {
            return changes;
        }
        TreeMap<byte[], byte[]> all = new TreeMap<>(Arrays::compareUnsigned);
        all.putAll(parent.effectiveChanges());
        all.putAll(changes);
        return all;
    }

    MerkleStore store() {
        return store;
    }

    boolean isBranch() {
        return parent != null;
    }

    long baseVersion() {
        return baseVersion;
    }

    boolean isFinished() {
        return finished;
    }

    void finish() {
        finished = true;
        cachedUpdate = null;
    }

    private void checkUsable() {
        if (finished) {
            throw new IllegalStateException("working set was already committed or merged");
        }
        if (parent != null && parent.finished) {
            throw new IllegalStateException("the parent working set was committed or merged");
        }
        long last = store.lastVersion();
        if (last != baseVersion) {
            throw new IllegalStateException("working set is based on version " + baseVersion
                    + " but the store is at " + last);
        }
    }

    private static void checkKey(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length == 0 || key.length > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException(
                    "key must be 1.." + MAX_KEY_LENGTH + " bytes, got " + key.length);
        }
    }

    /** Overlay entries (a sorted snapshot) over a cursor below; overlay wins on equal keys. */
    private static final class MergedCursor implements Cursor {
        private final List<Map.Entry<byte[], byte[]>> overlay;
        private final Cursor below;
        private final boolean hideTombstones;
        private int index;
        private byte[] key;
        private byte[] value;

        MergedCursor(List<Map.Entry<byte[], byte[]>> overlay, Cursor below,
                boolean hideTombstones) {
            this.overlay = overlay;
            this.below = below;
            this.hideTombstones = hideTombstones;
            advance();
        }

        private void advance() {
            while (true) {
                boolean hasOverlay = index < overlay.size();
                boolean hasBelow = below.valid();
                if (!hasOverlay && !hasBelow) {
                    key = null;
                    value = null;
                    return;
                }
                int cmp;
                if (!hasOverlay) {
                    cmp = 1;
                } else if (!hasBelow) {
                    cmp = -1;
                } else {
                    cmp = Arrays.compareUnsigned(overlay.get(index).getKey(), below.key());
                }
                if (cmp <= 0) {
                    Map.Entry<byte[], byte[]> e = overlay.get(index++);
                    if (cmp == 0) {
                        below.next();
                    }
                    if (e.getValue() == TOMBSTONE && hideTombstones) {
                        continue;
                    }
                    key = e.getKey();
                    value = e.getValue();
                    return;
                }
                key = below.key();
                value = below.value();
                below.next();
                if (value == TOMBSTONE && hideTombstones) {
                    continue;
                }
                return;
            }
        }

        @Override
        public boolean valid() {
            return key != null;
        }

        @Override
        public byte[] key() {
            return key;
        }

        @Override
        public byte[] value() {
            return value;
        }

        @Override
        public void next() {
            advance();
        }

        @Override
        public void close() {
            below.close();
        }
    }
}
