package dev.teeledger.abci.state;

import static dev.teeledger.abci.state.MerkleStoreTest.b;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random operation sequences run against the store and against a {@link TreeMap} model:
 * reads, prefix scans, roots (checked against a from-scratch oracle), proofs, branches that
 * merge or are dropped, commits, pruning and reopening must all agree with the model.
 */
class StoreModelPropertyTest {

    sealed interface Op permits Put, Delete, Tx, Commit, Reopen {
    }

    record Put(int key, int value) implements Op {
    }

    record Delete(int key) implements Op {
    }

    /** A transaction: its writes go to a branch that is merged only if {@code merge}. */
    record Tx(List<Op> writes, boolean merge) implements Op {
    }

    record Commit() implements Op {
    }

    record Reopen() implements Op {
    }

    private static byte[] key(int k) {
        // Keys share prefixes of different lengths so scans and ordering are exercised.
        return b((k % 3 == 0 ? "acct/" : k % 3 == 1 ? "acct/x" : "b/") + Integer.toString(k, 7));
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Integer> keys = Arbitraries.integers().between(0, 40);
        Arbitrary<Op> put = Combinators.combine(keys, Arbitraries.integers().between(0, 5))
                .as(Put::new);
        Arbitrary<Op> del = keys.map(Delete::new);
        Arbitrary<Op> write = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, put), net.jqwik.api.Tuple.of(1, del));
        Arbitrary<Op> tx = Combinators.combine(write.list().ofMaxSize(6), Arbitraries.of(true, false))
                .as(Tx::new);
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, put),
                net.jqwik.api.Tuple.of(2, del),
                net.jqwik.api.Tuple.of(2, tx),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(new Commit())),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Reopen())));
        return op.list().ofMinSize(1).ofMaxSize(60);
    }

    @Property(tries = 120)
    void storeBehavesLikeASortedMap(@ForAll("ops") List<Op> ops,
            @ForAll("keep") int keep) throws Exception {
        Path dir = Files.createTempDirectory("smt-prop");
        StoreConfig config = StoreConfig.keepRecent(keep).withNodeCacheSize(keep == 1 ? 0 : 1000);
        MerkleStore store = MerkleStore.open(dir, config);
        try {
            TreeMap<byte[], byte[]> committed = map();
            TreeMap<byte[], byte[]> staged = map();
            Map<Long, TreeMap<byte[], byte[]>> history = new TreeMap<>();
            WorkingSet ws = store.newWorkingSet();
            long version = 0;
            for (Op op : ops) {
                if (op instanceof Put || op instanceof Delete) {
                    apply(op, ws, staged);
                } else if (op instanceof Tx tx) {
                    WorkingSet branch = ws.branch();
                    TreeMap<byte[], byte[]> branchModel = map();
                    branchModel.putAll(staged);
                    for (Op w : tx.writes()) {
                        apply(w, branch, branchModel);
                    }
                    assertSame(branch, branchModel);
                    if (tx.merge()) {
                        branch.mergeIntoParent();
                        staged = branchModel;
                    }
                } else if (op instanceof Commit) {
                    byte[] root = ws.rootHash();
                    assertThat(root).isEqualTo(ReferenceRoot.of(staged));
                    version += 1 + (version % 3 == 2 ? 1 : 0); // some gaps between versions
                    store.commit(ws, version, b("v" + version));
                    assertThat(store.lastRootHash()).isEqualTo(root);
                    committed = map();
                    committed.putAll(staged);
                    history.put(version, committed);
                    ws = store.newWorkingSet();
                } else if (op instanceof Reopen) {
                    store.close();
                    store = MerkleStore.open(dir, config);
                    ws = store.newWorkingSet();
                    staged = map();
                    staged.putAll(committed);
                }
                assertSame(ws, staged);
            }
            assertSame(store.latest(), committed);
            assertThat(store.stats().keyCount()).isEqualTo(committed.size());
            checkVersions(store, history, keep);
        } finally {
            store.close();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Provide
    Arbitrary<Integer> keep() {
        return Arbitraries.of(0, 1, 3);
    }

    private static void checkVersions(MerkleStore store, Map<Long, TreeMap<byte[], byte[]>> history,
            int keep) throws Exception {
        long last = store.lastVersion();
        for (Map.Entry<Long, TreeMap<byte[], byte[]>> e : history.entrySet()) {
            long v = e.getKey();
            boolean retained = keep == 0 || v >= last - keep + 1;
            if (!retained) {
                assertThat(v).isLessThan(store.oldestRetainedVersion());
                continue;
            }
            TreeMap<byte[], byte[]> model = e.getValue();
            byte[] root = store.rootHash(v);
            assertThat(root).isEqualTo(ReferenceRoot.of(model));
            assertSame(store.readerAt(v), model);
            for (int k = 0; k <= 40; k += 3) {
                ProvenValue pv = store.prove(key(k), v);
                assertThat(pv.value()).isEqualTo(model.get(key(k)));
                pv.proof().verify(root, key(k), pv.value());
            }
        }
    }

    private static void apply(Op op, KvStore store, TreeMap<byte[], byte[]> model) {
        if (op instanceof Put p) {
            byte[] value = b("value-" + p.value());
            store.put(key(p.key()), value);
            model.put(key(p.key()), value);
        } else if (op instanceof Delete d) {
            store.delete(key(d.key()));
            model.remove(key(d.key()));
        }
    }

    private static void assertSame(KvReader reader, TreeMap<byte[], byte[]> model) {
        for (int k = 0; k <= 40; k++) {
            assertThat(reader.get(key(k))).isEqualTo(model.get(key(k)));
        }
        for (String prefix : List.of("", "acct/", "acct/x", "b/", "zz")) {
            List<byte[]> keys = new ArrayList<>();
            List<byte[]> values = new ArrayList<>();
            reader.scan(b(prefix), (k, v) -> {
                keys.add(k);
                values.add(v);
            });
            List<byte[]> expectedKeys = new ArrayList<>();
            List<byte[]> expectedValues = new ArrayList<>();
            model.forEach((k, v) -> {
                if (TreeReader.startsWith(k, b(prefix))) {
                    expectedKeys.add(k);
                    expectedValues.add(v);
                }
            });
            assertThat(keys).containsExactlyElementsOf(expectedKeys);
            assertThat(values).containsExactlyElementsOf(expectedValues);
        }
    }

    private static TreeMap<byte[], byte[]> map() {
        return new TreeMap<>(Arrays::compareUnsigned);
    }
}
