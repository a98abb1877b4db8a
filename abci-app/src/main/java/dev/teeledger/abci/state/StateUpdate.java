package dev.teeledger.abci.state;

import dev.teeledger.protocol.merkle.SubStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * Applies one block's staged changes to the multistore (ADR 0010): routes each key to its
 * {@link SubStore}, updates only the sub-store trees that received changes, then updates the
 * top-level tree's entries for the sub-stores whose root moved. The cost of a write therefore
 * depends on the size of its own sub-store and on the (fixed) number of sub-stores, not on the
 * size of the whole state. Used by {@link WorkingSet#rootHash()} and {@link MerkleStore#commit}.
 *
 * @param roots the new roots (may reference new in-memory nodes)
 * @param staleNodeKeys storage keys of persisted nodes, of any tree, the new version no longer uses
 * @param keyCountDelta keys added minus keys removed, over all sub-stores
 */
record StateUpdate(RootSet roots, List<byte[]> staleNodeKeys, long keyCountDelta) {

    private static final SubStore[] STORES = SubStore.values();

    /** The app hash of the empty state: the top-level tree with every sub-store empty. */
    static final byte[] EMPTY_STATE_ROOT = emptyStateRoot();

    /**
     * Applies {@code changes} (key → value, or {@link WorkingSet#TOMBSTONE} to delete; any order)
     * to {@code base}. Before the first commit the top-level tree is empty and receives an entry
     * for every sub-store, so every version's top-level tree lists all of them and an empty
     * sub-store is proven by its all-zero root.
     */
    static StateUpdate apply(RootSet base, NavigableMap<byte[], byte[]> changes,
            NodeSource source) throws StoreException {
        List<List<TreeUpdate.Change>> routed = new ArrayList<>(STORES.length);
        for (int i = 0; i < STORES.length; i++) {
            routed.add(null);
        }
        for (Map.Entry<byte[], byte[]> e : changes.entrySet()) {
            int i = SubStore.of(e.getKey()).ordinal();
            if (routed.get(i) == null) {
                routed.set(i, new ArrayList<>());
            }
            byte[] v = e.getValue();
            routed.get(i).add(TreeUpdate.Change.of(e.getKey(), v == WorkingSet.TOMBSTONE ? null : v));
        }
        Node[] roots = base.stores().clone();
        List<byte[]> stale = new ArrayList<>();
        long delta = 0;
        boolean fresh = base.top() instanceof Node.Empty;
        List<TreeUpdate.Change> top = new ArrayList<>();
        for (SubStore s : STORES) {
            List<TreeUpdate.Change> mine = routed.get(s.ordinal());
            if (mine != null) {
                TreeUpdate.Change[] batch = mine.toArray(new TreeUpdate.Change[0]);
                TreeUpdate.sort(batch);
                TreeUpdate.Result r = TreeUpdate.apply(s.code(), roots[s.ordinal()], batch, source);
                stale.addAll(r.staleNodeKeys());
                delta += r.keyCountDelta();
                roots[s.ordinal()] = r.root();
            }
            if (fresh || roots[s.ordinal()] != base.store(s)) {
                top.add(TreeUpdate.Change.of(s.nameBytes(), roots[s.ordinal()].hash().clone()));
            }
        }
        Node topRoot = base.top();
        if (!top.isEmpty()) {
            TreeUpdate.Change[] batch = top.toArray(new TreeUpdate.Change[0]);
            TreeUpdate.sort(batch);
            TreeUpdate.Result r = TreeUpdate.apply(NodeCodec.TOP, topRoot, batch, source);
            stale.addAll(r.staleNodeKeys());
            topRoot = r.root();
        }
        return new StateUpdate(new RootSet(topRoot, roots), List.copyOf(stale), delta);
    }

    /** The app hash after this update. */
    byte[] rootHash() {
        return roots.top().hash();
    }

    /** Hands every new node of every tree to {@code sink}, keyed at {@code version}. */
    void persist(long version, TreeUpdate.NodeSink sink) throws StoreException {
        for (SubStore s : STORES) {
            TreeUpdate.persist(s.code(), roots.store(s), version, sink);
        }
        TreeUpdate.persist(NodeCodec.TOP, roots.top(), version, sink);
    }

    private static byte[] emptyStateRoot() {
        try {
            return apply(RootSet.empty(), new java.util.TreeMap<>(java.util.Arrays::compareUnsigned),
                    (tree, node, depth, path) -> {
                        throw new StoreException("the empty state has no stored nodes");
                    }).rootHash().clone();
        } catch (StoreException e) {
            throw new IllegalStateException(e);
        }
    }
}
