package dev.teeledger.abci.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teeledger.protocol.merkle.ProofException;
import dev.teeledger.protocol.merkle.SmtProof;
import dev.teeledger.protocol.merkle.StateProof;
import dev.teeledger.protocol.merkle.SubStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MerkleStoreTest {

    @TempDir
    Path dir;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String s(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private static List<String> keys(KvReader r, String prefix) {
        List<String> out = new ArrayList<>();
        r.scan(b(prefix), (k, v) -> out.add(s(k)));
        return out;
    }

    @Test
    void emptyStoreHasVersionZeroAndTheEmptyStateRoot() throws Exception {
        try (MerkleStore store = MerkleStore.open(dir, StoreConfig.defaults())) {
            assertThat(store.lastVersion()).isZero();
            // Every sub-store is empty, and the top-level tree lists all of them (ADR 0010).
            assertThat(MerkleStore.emptyStateRoot())
                    .isEqualTo(ReferenceRoot.of(new TreeMap<>(Arrays::compareUnsigned)))
                    .isNotEqualTo(new byte[32]);
            assertThat(store.lastRootHash()).isEqualTo(MerkleStore.emptyStateRoot());
            assertThat(store.appMetadata()).isNull();
            assertThat(store.latest().get(b("a"))).isNull();
            assertThat(store.newWorkingSet().rootHash()).isEqualTo(MerkleStore.emptyStateRoot());
            assertThatThrownBy(() -> store.rootHash(1)).isInstanceOf(VersionUnavailableException.class);
        }
    }

    @Test
    void putGetDeleteThroughWorkingSetAndCommit() throws Exception {
        try (MerkleStore store = MerkleStore.open(dir, StoreConfig.defaults())) {
            WorkingSet ws = store.newWorkingSet();
            ws.put(b("a"), b("1"));
            ws.put(b("b"), b("2"));
            ws.put(b("c"), b("3"));
            ws.delete(b("b"));
            assertThat(s(ws.get(b("a")))).isEqualTo("1");
            assertThat(ws.get(b("b"))).isNull();
            assertThat(store.latest().get(b("a"))).as("nothing persisted before commit").isNull();
            store.commit(ws, 1, b("meta1"));
            assertThat(s(store.latest().get(b("a")))).isEqualTo("1");
            assertThat(store.latest().get(b("b"))).isNull();
            assertThat(s(store.appMetadata())).isEqualTo("meta1");
            assertThat(store.stats().keyCount()).isEqualTo(2);

            WorkingSet ws2 = store.newWorkingSet();
            ws2.delete(b("a"));
            ws2.delete(b("never"));
            ws2.put(b("c"), b("33"));
            store.commit(ws2, 2, null);
            assertThat(store.latest().get(b("a"))).isNull();
            assertThat(s(store.latest().get(b("c")))).isEqualTo("33");
            assertThat(store.appMetadata()).isNull();
            assertThat(store.stats().keyCount()).isEqualTo(1);
        }
    }

    @Test
    void scanVisitsPrefixInUnsignedKeyOrder() throws Exception {
        try (MerkleStore store = MerkleStore.open(dir, StoreConfig.defaults())) {
            WorkingSet ws = store.newWorkingSet();
            byte[][] ks = {{1, 2}, {1, (byte) 0xFF}, {1}, {1, 0x7F, 0}, {2}, {0, 1}, {1, (byte) 0x80}};
            for (byte[] k : ks) {
                ws.put(k, k);
            }
            store.commit(ws, 1, null);
            WorkingSet next = store.newWorkingSet();
            next.put(new byte[] {1, 0x10}, new byte[] {9});
            next.delete(new byte[] {1, (byte) 0x80});
            List<byte[]> seen = new ArrayList<>();
            next.scan(new byte[] {1}, (k, v) -> seen.add(k));
            assertThat(seen).containsExactly(new byte[] {1}, new byte[] {1, 2}, new byte[] {1, 0x10},
                    new byte[] {1, 0x7F, 0}, new byte[] {1, (byte) 0xFF});
            List<byte[]> committed = new ArrayList<>();
            store.latest().scan(new byte[0], (k, v) -> committed.add(k));
            assertThat(committed).hasSize(7).isSortedAccordingTo(Arrays::compareUnsigned);
        }
    }

    @Test
    void rootDependsOnlyOnTheSetOfWrites() throws Exception {
        List<String[]> ops = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            ops.add(new String[] {"k" + i, "v" + i});
        }
        byte[] first = null;
        for (int round = 0; round < 3; round++) {
            Collections.shuffle(ops, new Random(round));
            try (MerkleStore store = MerkleStore.open(dir.resolve("r" + round), StoreConfig.defaults())) {
                WorkingSet ws = store.newWorkingSet();
                for (String[] op : ops) {
                    ws.put(b(op[0]), b(op[1]));
                }
                byte[] root = ws.rootHash();
                store.commit(ws, 1, null);
                assertThat(store.lastRootHash()).isEqualTo(root);
                if (first == null) {
                    first = root;
                } else {
                    assertThat(root).isEqualTo(first);
                }
            }
        }
        TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
        ops.forEach(op -> model.put(b(op[0]), b(op[1])));
        assertThat(first).isEqualTo(ReferenceRoot.of(model));
    }

    @Test
    void rootIsIndependentOfHowWritesAreSplitAcrossVersions() throws Exception {
        TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
        try (MerkleStore one = MerkleStore.open(dir.resolve("one"), StoreConfig.defaults());
                MerkleStore many = MerkleStore.open(dir.resolve("many"), StoreConfig.keepRecent(2))) {
            WorkingSet all = one.newWorkingSet();
            Random rnd = new Random(7);
            for (int v = 1; v <= 20; v++) {
                WorkingSet ws = many.newWorkingSet();
                for (int i = 0; i < 40; i++) {
                    String k = "k" + rnd.nextInt(200);
                    if (rnd.nextInt(4) == 0) {
                        ws.delete(b(k));
                        model.remove(b(k));
                    } else {
                        ws.put(b(k), b("v" + v + "/" + i));
                        model.put(b(k), b("v" + v + "/" + i));
                    }
                }
                many.commit(ws, v, null);
            }
            model.forEach(all::put);
            one.commit(all, 1, null);
            assertThat(many.lastRootHash()).isEqualTo(one.lastRootHash())
                    .isEqualTo(ReferenceRoot.of(model));
            assertThat(many.stats().keyCount()).isEqualTo(model.size());
        }
    }

    @Test
    void twoStoresFedTheSameCommitsHaveTheSameRoots() throws Exception {
        try (MerkleStore a = MerkleStore.open(dir.resolve("a"), StoreConfig.defaults());
                MerkleStore c = MerkleStore.open(dir.resolve("c"),
                        StoreConfig.keepRecent(1).withNodeCacheSize(0))) {
            Random rnd = new Random(3);
            for (int v = 1; v <= 15; v++) {
                WorkingSet wa = a.newWorkingSet();
                WorkingSet wc = c.newWorkingSet();
                for (int i = 0; i < 25; i++) {
                    byte[] k = b("key" + rnd.nextInt(100));
                    byte[] val = b("val" + rnd.nextInt());
                    boolean del = rnd.nextInt(5) == 0;
                    for (WorkingSet ws : List.of(wa, wc)) {
                        if (del) {
                            ws.delete(k);
                        } else {
                            ws.put(k, val);
                        }
                    }
                }
                assertThat(wa.rootHash()).isEqualTo(wc.rootHash());
                a.commit(wa, v, null);
                c.commit(wc, v, null);
                assertThat(a.lastRootHash()).isEqualTo(c.lastRootHash());
            }
        }
    }

    @Test
    void proofsOfPresenceAndAbsenceVerifyAgainstTheRoot() throws Exception {
        try (MerkleStore store = MerkleStore.open(dir, StoreConfig.defaults())) {
            WorkingSet ws = store.newWorkingSet();
            for (int i = 0; i < 500; i++) {
                ws.put(b("k" + i), b("v" + i));
            }
            store.commit(ws, 1, null);
            byte[] root = store.rootHash(1);
            for (int i = 0; i < 500; i += 7) {
                ProvenValue pv = store.prove(b("k" + i), 1);
                assertThat(s(pv.value())).isEqualTo("v" + i);
                assertThat(pv.version()).isEqualTo(1);
                StateProof decoded = new StateProof(pv.proof().store(),
                        SmtProof.decode(pv.proof().keyProof().encode()),
                        SmtProof.decode(pv.proof().storeProof().encode()));
                decoded.verify(root, b("k" + i), pv.value());
            }
            boolean sawOther = false;
            boolean sawEmpty = false;
            for (int i = 0; i < 200; i++) {
                ProvenValue pv = store.prove(b("absent" + i), 1);
                assertThat(pv.value()).isNull();
                pv.proof().verify(root, b("absent" + i), null);
                sawOther |= pv.proof().terminal() == SmtProof.Terminal.OTHER_LEAF;
                sawEmpty |= pv.proof().terminal() == SmtProof.Terminal.EMPTY;
            }
            assertThat(sawOther).isTrue();
            assertThat(sawEmpty).isTrue();
        }
    }

    @Test
    void tamperedValueKeyOrProofFailsVerification() throws Exception {
        try (MerkleStore store = MerkleStore.open(dir, StoreConfig.defaults())) {
            WorkingSet ws = store.newWorkingSet();
            for (int i = 0; i < 64; i++) {
                ws.put(b("k" + i), b("v" + i));
            }
            store.commit(ws, 1, null);
            byte[] root = store.lastRootHash();
            ProvenValue pv = store.prove(b("k5"), 1);
            assertThatThrownBy(() -> pv.proof().verify(root, b("k5"), b("v6")))
                    .isInstanceOf(ProofException.class);
            assertThatThrownBy(() -> pv.proof().verify(root, b("k6"), b("v5")))
                    .isInstanceOf(ProofException.class);
            assertThatThrownBy(() -> pv.proof().verify(root, b("k5"), null))
                    .isInstanceOf(ProofException.class);
            byte[] enc = pv.proof().keyProof().encode();
            enc[enc.length - 1] ^= 1;
            assertThatThrownBy(() -> new StateProof(pv.proof().store(), SmtProof.decode(enc),
                    pv.proof().storeProof()).verify(root, b("k5"), b("v5")))
                    .isInstanceOf(ProofException.class);
            byte[] top = pv.proof().storeProof().encode();
            top[top.length - 1] ^= 1;
            assertThatThrownBy(() -> new StateProof(pv.proof().store(), pv.proof().keyProof(),
                    SmtProof.decode(top)).verify(root, b("k5"), b("v5")))
                    .isInstanceOf(ProofException.class);
            ProvenValue absent = store.prove(b("zzz"), 1);
            assertThatThrownBy(() -> absent.proof().verify(root, b("zzz"), b("x")))
                    .isInstanceOf(ProofException.class);
        }
    }

    @Test
    void historicVersionsKeepTheirValuesRootsAndProofs() throws Exception {
        try (MerkleStore store = MerkleStore.open(dir, StoreConfig.defaults())) {
            List<byte[]> roots = new ArrayList<>();
            for (int v = 1; v <= 5; v++) {
                WorkingSet ws = store.newWorkingSet();
                ws.put(b("counter"), b("c" + v));
                ws.put(b("only-in-" + v), b("x"));
                if (v > 1) {
                    ws.delete(b("only-in-" + (v - 1)));
                }
                store.commit(ws, v, null);
                roots.add(store.lastRootHash());
            }
            for (int v = 1; v <= 5; v++) {
                KvReader r = store.readerAt(v);
                assertThat(s(r.get(b("counter")))).isEqualTo("c" + v);
                assertThat(s(r.get(b("only-in-" + v)))).isEqualTo("x");
                assertThat(r.get(b("only-in-" + (v + 1)))).isNull();
                assertThat(keys(r, "only-")).containsExactly("only-in-" + v);
                assertThat(store.rootHash(v)).isEqualTo(roots.get(v - 1));
                ProvenValue pv = store.prove(b("counter"), v);
                assertThat(s(pv.value())).isEqualTo("c" + v);
                pv.proof().verify(roots.get(v - 1), b("counter"), pv.value());
                ProvenValue gone = store.prove(b("only-in-" + (v == 1 ? 2 : 1)), v);
                gone.proof().verify(roots.get(v - 1), b("only-in-" + (v == 1 ? 2 : 1)), null);
            }
            assertThat(store.oldestRetainedVersion()).isEqualTo(1);
        }
    }

    @Test
    void pruningRemovesOldVersionsAndKeepsRecentOnes() throws Exception {
        try (MerkleStore store = MerkleStore.open(dir, StoreConfig.keepRecent(3))) {
            for (int v = 1; v <= 10; v++) {
                WorkingSet ws = store.newWorkingSet();
                for (int i = 0; i < 50; i++) {
                    ws.put(b("k" + i), b("v" + v + "-" + i));
                }
                store.commit(ws, v, null);
            }
            assertThat(store.oldestRetainedVersion()).isEqualTo(8);
            for (int v = 1; v < 8; v++) {
                long version = v;
                assertThatThrownBy(() -> store.prove(b("k1"), version))
                        .isInstanceOf(VersionUnavailableException.class)
                        .hasMessageContaining("pruned");
                assertThatThrownBy(() -> store.rootHash(version))
                        .isInstanceOf(VersionUnavailableException.class);
            }
            for (int v = 8; v <= 10; v++) {
                assertThat(s(store.readerAt(v).get(b("k7")))).isEqualTo("v" + v + "-7");
                store.prove(b("k7"), v).proof().verify(store.rootHash(v), b("k7"), b("v" + v + "-7"));
            }
            assertThatThrownBy(() -> store.rootHash(11))
                    .isInstanceOf(VersionUnavailableException.class).hasMessageContaining("future");
            assertThat(store.stats().pruneFailures()).isZero();
        }
        // Every node of the retained versions is still reachable after a reopen with a cold cache.
        try (MerkleStore store = MerkleStore.open(dir, StoreConfig.keepRecent(3).withNodeCacheSize(0))) {
            for (int v = 8; v <= 10; v++) {
                KvReader r = store.readerAt(v);
                List<String> all = keys(r, "");
                assertThat(all).hasSize(50);
            }
        }
    }

    @Test
    void pruningActuallyDeletesStaleNodes() throws Exception {
        long prunedCount;
        long keepAllCount;
        long oneTreeCount;
        long keepAllData;
        long oneTreeData;
        long prunedTop;
        long oneTreeTop;
        try (MerkleStore pruned = MerkleStore.open(dir.resolve("p"), StoreConfig.keepRecent(1));
                MerkleStore all = MerkleStore.open(dir.resolve("a"), StoreConfig.defaults());
                MerkleStore fresh = MerkleStore.open(dir.resolve("f"), StoreConfig.defaults())) {
            for (int v = 1; v <= 30; v++) {
                for (MerkleStore st : List.of(pruned, all)) {
                    WorkingSet ws = st.newWorkingSet();
                    for (int i = 0; i < 100; i++) {
                        ws.put(b("k" + i), b("v" + v));
                    }
                    st.commit(ws, v, null);
                }
            }
            WorkingSet ws = fresh.newWorkingSet();
            for (int i = 0; i < 100; i++) {
                ws.put(b("k" + i), b("v30"));
            }
            fresh.commit(ws, 1, null);
            prunedCount = NodeCounter.count(pruned);
            keepAllCount = NodeCounter.count(all);
            oneTreeCount = NodeCounter.count(fresh);
            int data = SubStore.DEFAULT.code();
            keepAllData = NodeCounter.count(all, data);
            oneTreeData = NodeCounter.count(fresh, data);
            prunedTop = NodeCounter.count(pruned, NodeCodec.TOP);
            oneTreeTop = NodeCounter.count(fresh, NodeCodec.TOP);
            assertThat(pruned.lastRootHash()).isEqualTo(all.lastRootHash()).isEqualTo(fresh.lastRootHash());
        }
        // Keeping one version leaves exactly the nodes of one state; keeping all 30 keeps 30
        // trees of the sub-store that every commit rewrites entirely (no node shared between
        // versions), while the top-level tree shares the entries of untouched sub-stores.
        assertThat(oneTreeData).isGreaterThanOrEqualTo(199);
        // n leaves need n - 1 inner nodes, more where two names share leading path bits.
        assertThat(oneTreeTop).isGreaterThanOrEqualTo(2L * SubStore.values().length - 1);
        assertThat(prunedCount).isEqualTo(oneTreeCount).isEqualTo(oneTreeData + oneTreeTop);
        assertThat(prunedTop).isEqualTo(oneTreeTop);
        assertThat(keepAllData).isEqualTo(30 * oneTreeData);
        assertThat(keepAllCount - keepAllData).isGreaterThan(oneTreeTop)
                .isLessThan(30 * oneTreeTop);
    }

    @Test
    void reopenKeepsVersionRootMetadataAndData() throws Exception {
        byte[] root;
        try (MerkleStore store = MerkleStore.open(dir, StoreConfig.defaults())) {
            for (int v = 1; v <= 3; v++) {
                WorkingSet ws = store.newWorkingSet();
                ws.put(b("k" + v), b("v" + v));
                store.commit(ws, v * 10, b("m" + v));
            }
            root = store.lastRootHash();
        }
        try (MerkleStore store = MerkleStore.open(dir, StoreConfig.defaults())) {
            assertThat(store.lastVersion()).isEqualTo(30);
            assertThat(store.lastRootHash()).isEqualTo(root);
            assertThat(s(store.appMetadata())).isEqualTo("m3");
            assertThat(s(store.latest().get(b("k2")))).isEqualTo("v2");
            assertThat(store.stats().keyCount()).isEqualTo(3);
            assertThat(s(store.readerAt(10).get(b("k1")))).isEqualTo("v1");
            assertThat(store.readerAt(10).get(b("k2"))).isNull();
            assertThatThrownBy(() -> store.rootHash(15))
                    .isInstanceOf(VersionUnavailableException.class)
                    .hasMessageContaining("never committed");
            WorkingSet ws = store.newWorkingSet();
            ws.put(b("k4"), b("v4"));
            store.commit(ws, 31, null);
            assertThat(store.stats().keyCount()).isEqualTo(4);
        }
    }

    @Test
    void rejectsCommitsOutOfOrder() throws Exception {
        try (MerkleStore store = MerkleStore.open(dir, StoreConfig.defaults())) {
            WorkingSet ws = store.newWorkingSet();
            ws.put(b("a"), b("1"));
            store.commit(ws, 5, null);
            WorkingSet again = store.newWorkingSet();
            assertThatThrownBy(() -> store.commit(again, 5, null)).isInstanceOf(StoreException.class)
                    .hasMessageContaining("greater");
            assertThatThrownBy(() -> store.commit(ws, 6, null)).isInstanceOf(StoreException.class)
                    .hasMessageContaining("already committed");
            WorkingSet stale = store.newWorkingSet();
            WorkingSet other = store.newWorkingSet();
            store.commit(other, 6, null);
            assertThatThrownBy(() -> store.commit(stale, 7, null)).isInstanceOf(StoreException.class)
                    .hasMessageContaining("based on version 5");
            assertThatThrownBy(() -> stale.get(b("a"))).isInstanceOf(IllegalStateException.class);
            WorkingSet branch = store.newWorkingSet().branch();
            assertThatThrownBy(() -> store.commit(branch, 7, null)).isInstanceOf(StoreException.class)
                    .hasMessageContaining("branch");
        }
    }

    @Test
    void rejectsInvalidKeysAndValues() throws Exception {
        try (MerkleStore store = MerkleStore.open(dir, StoreConfig.defaults())) {
            WorkingSet ws = store.newWorkingSet();
            assertThatThrownBy(() -> ws.put(new byte[0], b("x"))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ws.put(new byte[WorkingSet.MAX_KEY_LENGTH + 1], b("x")))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ws.put(b("k"), null)).isInstanceOf(NullPointerException.class);
            ws.put(b("k"), new byte[0]);
            store.commit(ws, 1, null);
            assertThat(store.latest().get(b("k"))).isEmpty();
            store.prove(b("k"), 1).proof().verify(store.lastRootHash(), b("k"), new byte[0]);
        }
    }

    @Test
    void secondOpenOfTheSameDirectoryFailsClearly() throws Exception {
        try (MerkleStore store = MerkleStore.open(dir, StoreConfig.defaults())) {
            assertThatThrownBy(() -> MerkleStore.open(dir, StoreConfig.defaults()))
                    .isInstanceOf(StoreException.class).hasMessageContaining("cannot open");
        }
    }

    @Test
    void callerMutatingArraysDoesNotChangeStagedState() throws Exception {
        try (MerkleStore store = MerkleStore.open(dir, StoreConfig.defaults())) {
            WorkingSet ws = store.newWorkingSet();
            byte[] k = b("key");
            byte[] v = b("value");
            ws.put(k, v);
            k[0] = 'X';
            v[0] = 'X';
            assertThat(s(ws.get(b("key")))).isEqualTo("value");
            ws.get(b("key"))[0] = 'Y';
            assertThat(s(ws.get(b("key")))).isEqualTo("value");
        }
    }

    @Test
    void readerOfAVersionPrunedMeanwhileFailsWithVersionUnavailable() throws Exception {
        try (MerkleStore store = MerkleStore.open(dir, StoreConfig.keepRecent(1).withNodeCacheSize(0))) {
            WorkingSet ws = store.newWorkingSet();
            for (int i = 0; i < 20; i++) {
                ws.put(b("k" + i), b("a"));
            }
            store.commit(ws, 1, null);
            KvReader v1 = store.readerAt(1);
            assertThat(s(v1.get(b("k3")))).isEqualTo("a");
            WorkingSet next = store.newWorkingSet();
            for (int i = 0; i < 20; i++) {
                next.put(b("k" + i), b("b"));
            }
            store.commit(next, 2, null);
            assertThat(store.oldestRetainedVersion()).isEqualTo(2);
            assertThatThrownBy(() -> v1.get(b("k3")))
                    .isInstanceOf(UncheckedStoreException.class)
                    .extracting(Throwable::getCause)
                    .isInstanceOf(VersionUnavailableException.class);
        }
    }

    @Test
    void statsReportVersionsKeysAndDiskUse() throws Exception {
        try (MerkleStore store = MerkleStore.open(dir, StoreConfig.keepRecent(5))) {
            for (int v = 1; v <= 3; v++) {
                WorkingSet ws = store.newWorkingSet();
                for (int i = 0; i < 100; i++) {
                    ws.put(b("k" + v + "-" + i), new byte[100]);
                }
                store.commit(ws, v, null);
            }
            StoreStats stats = store.stats();
            assertThat(stats.version()).isEqualTo(3);
            assertThat(stats.oldestRetainedVersion()).isEqualTo(1);
            assertThat(stats.keyCount()).isEqualTo(300);
            assertThat(stats.approximateDiskBytes()).isPositive();
            assertThat(stats.cachedNodes()).isPositive();
            assertThat(stats.pruneFailures()).isZero();
        }
    }
}
