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
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import java.util.stream.Stream;

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

    private static Op write(Random r) {
        return r.nextInt(4) < 3 ? new Put(r.nextInt(41), r.nextInt(6)) : new Delete(r.nextInt(41));
    }

    /** A random sequence of 1..60 operations, weighted like a block's mix of writes. */
    static List<Op> ops(Random r) {
        List<Op> ops = new ArrayList<>();
        for (int n = 1 + r.nextInt(60); n > 0; n--) {
            int pick = r.nextInt(13);
            if (pick < 6) {
                ops.add(new Put(r.nextInt(41), r.nextInt(6)));
            } else if (pick < 8) {
                ops.add(new Delete(r.nextInt(41)));
            } else if (pick < 10) {
                List<Op> writes = new ArrayList<>();
                for (int w = r.nextInt(7); w > 0; w--) {
                    writes.add(write(r));
                }
                ops.add(new Tx(writes, r.nextBoolean()));
            } else if (pick < 12) {
                ops.add(new Commit());
            } else {
                ops.add(new Reopen());
            }
        }
        return ops;
    }

    static LongStream seeds() {
        return LongStream.range(0, 120);
    }

    /** Seeded random sequences; the seed in the test name reproduces a failure. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void storeBehavesLikeASortedMap(long seed) throws Exception {
        Random random = new Random(seed);
        int keep = new int[] {0, 1, 3}[random.nextInt(3)];
        List<Op> ops = ops(random);
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
