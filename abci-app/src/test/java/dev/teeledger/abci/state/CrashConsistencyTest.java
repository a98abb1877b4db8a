package dev.teeledger.abci.state;

import static dev.teeledger.abci.state.MerkleStoreTest.b;
import static dev.teeledger.abci.state.MerkleStoreTest.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CrashConsistencyTest {

    @TempDir
    Path dir;

    private final AtomicReference<FaultPoint> armed = new AtomicReference<>();

    private StoreConfig config() {
        return StoreConfig.keepRecent(2).withFaultInjector(point -> {
            if (armed.compareAndSet(point, null)) {
                throw new StoreException("injected failure at " + point);
            }
        });
    }

    private static TreeMap<byte[], byte[]> model() {
        return new TreeMap<>(Arrays::compareUnsigned);
    }

    /** Deterministic writes of one version, applied to a working set and to a model. */
    static void writeVersion(long v, KvStore ws, TreeMap<byte[], byte[]> model) {
        java.util.Random rnd = new java.util.Random(v);
        for (int i = 0; i < 200; i++) {
            byte[] k = b("k" + rnd.nextInt(400));
            if (rnd.nextInt(8) == 0) {
                ws.delete(k);
                model.remove(k);
            } else {
                byte[] val = b("v" + v + "-" + i);
                ws.put(k, val);
                model.put(k, val);
            }
        }
    }

    private static void assertStoreHolds(MerkleStore store, long version,
            TreeMap<byte[], byte[]> model) throws Exception {
        assertThat(store.lastVersion()).isEqualTo(version);
        assertThat(store.lastRootHash()).isEqualTo(ReferenceRoot.of(model));
        assertThat(s(store.appMetadata())).isEqualTo("meta" + version);
        assertThat(store.stats().keyCount()).isEqualTo(model.size());
        TreeMap<byte[], byte[]> flat = model();
        store.latest().scan(new byte[0], flat::put);
        assertThat(flat.keySet()).containsExactlyElementsOf(model.keySet());
        for (byte[] k : model.keySet()) {
            assertThat(flat.get(k)).isEqualTo(model.get(k));
        }
        for (int i = 0; i < 400; i += 13) {
            byte[] k = b("k" + i);
            ProvenValue pv = store.prove(k, version);
            assertThat(pv.value()).isEqualTo(model.get(k));
            pv.proof().verify(store.lastRootHash(), k, pv.value());
        }
    }

    @ParameterizedTest
    @EnumSource(value = FaultPoint.class, names = {"BEFORE_ROOT", "BEFORE_BATCH",
            "AFTER_NODES_STAGED", "BEFORE_WRITE"})
    void failureBeforeTheWriteLeavesThePreviousVersionIntact(FaultPoint point) throws Exception {
        TreeMap<byte[], byte[]> model = model();
        try (MerkleStore store = MerkleStore.open(dir, config())) {
            for (long v = 1; v <= 3; v++) {
                WorkingSet ws = store.newWorkingSet();
                writeVersion(v, ws, model);
                store.commit(ws, v, b("meta" + v));
            }
            WorkingSet ws = store.newWorkingSet();
            writeVersion(4, ws, model());
            armed.set(point);
            assertThatThrownBy(() -> store.commit(ws, 4, b("meta4")))
                    .isInstanceOf(StoreException.class).hasMessageContaining("injected");
            // The running store is unchanged, too.
            assertStoreHolds(store, 3, model);
        }
        // "Crash": reopen from disk.
        try (MerkleStore store = MerkleStore.open(dir, config())) {
            assertStoreHolds(store, 3, model);
            WorkingSet ws = store.newWorkingSet();
            writeVersion(4, ws, model);
            store.commit(ws, 4, b("meta4"));
            assertStoreHolds(store, 4, model);
            assertThat(store.oldestRetainedVersion()).isEqualTo(3);
        }
    }

    @Test
    void failureAfterTheWriteKeepsTheNewVersion() throws Exception {
        TreeMap<byte[], byte[]> model = model();
        try (MerkleStore store = MerkleStore.open(dir, config())) {
            for (long v = 1; v <= 3; v++) {
                WorkingSet ws = store.newWorkingSet();
                writeVersion(v, ws, model);
                if (v == 3) {
                    armed.set(FaultPoint.AFTER_WRITE);
                    assertThatThrownBy(() -> store.commit(ws, 3, b("meta3")))
                            .isInstanceOf(StoreException.class);
                } else {
                    store.commit(ws, v, b("meta" + v));
                }
            }
            assertStoreHolds(store, 3, model);
        }
        try (MerkleStore store = MerkleStore.open(dir, config())) {
            assertStoreHolds(store, 3, model);
            // Pruning did not run after version 3; the next commit catches up.
            assertThat(store.oldestRetainedVersion()).isEqualTo(1);
            WorkingSet ws = store.newWorkingSet();
            writeVersion(4, ws, model);
            store.commit(ws, 4, b("meta4"));
            assertThat(store.oldestRetainedVersion()).isEqualTo(3);
            assertStoreHolds(store, 4, model);
        }
    }

    @Test
    void failedPruningDoesNotFailTheCommitAndIsRetried() throws Exception {
        TreeMap<byte[], byte[]> model = model();
        try (MerkleStore store = MerkleStore.open(dir, config())) {
            for (long v = 1; v <= 5; v++) {
                WorkingSet ws = store.newWorkingSet();
                writeVersion(v, ws, model);
                if (v == 4) {
                    armed.set(FaultPoint.BEFORE_PRUNE_WRITE);
                }
                store.commit(ws, v, b("meta" + v));
                if (v == 4) {
                    assertThat(store.stats().pruneFailures()).isEqualTo(1);
                    assertThat(store.oldestRetainedVersion()).isEqualTo(2);
                    assertThat(store.readerAt(2).get(b("k1"))).isNotNull();
                }
            }
            assertThat(store.oldestRetainedVersion()).isEqualTo(4);
            assertStoreHolds(store, 5, model);
        }
        try (MerkleStore store = MerkleStore.open(dir, config().withNodeCacheSize(0))) {
            assertStoreHolds(store, 5, model);
            assertThat(store.readerAt(4).get(b("k1"))).isEqualTo(
                    replayTo(4).get(b("k1")));
        }
    }

    private static TreeMap<byte[], byte[]> replayTo(long version) {
        TreeMap<byte[], byte[]> model = model();
        KvStore sink = new KvStore() {
            @Override
            public void put(byte[] key, byte[] value) {
            }

            @Override
            public void delete(byte[] key) {
            }

            @Override
            public byte[] get(byte[] key) {
                return null;
            }

            @Override
            public void scan(byte[] prefix, java.util.function.BiConsumer<byte[], byte[]> visitor) {
            }
        };
        for (long v = 1; v <= version; v++) {
            writeVersion(v, sink, model);
        }
        return model;
    }

    /**
     * A child JVM commits as fast as it can and is killed with SIGKILL mid-stream; the store it
     * leaves must open at a version at least as new as the last one it reported, with exactly
     * that version's content.
     */
    @Test
    void killDashNineDuringCommitsLosesNothingCommitted() throws Exception {
        Path storeDir = dir.resolve("killed");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CrashWriter.class.getName(), storeDir.toString())
                .redirectErrorStream(true).start();
        long reported = 0;
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("committed ")) {
                    reported = Long.parseLong(line.substring(10));
                    if (reported >= 15) {
                        break;
                    }
                }
            }
            child.destroyForcibly(); // SIGKILL on Linux
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(reported).as("child reported commits").isGreaterThanOrEqualTo(15);
        try (MerkleStore store = MerkleStore.open(storeDir, StoreConfig.keepRecent(2))) {
            long version = store.lastVersion();
            assertThat(version).isGreaterThanOrEqualTo(reported);
            assertStoreHolds(store, version, replayTo(version));
            WorkingSet ws = store.newWorkingSet();
            TreeMap<byte[], byte[]> model = replayTo(version);
            writeVersion(version + 1, ws, model);
            store.commit(ws, version + 1, b("meta" + (version + 1)));
            assertStoreHolds(store, version + 1, model);
        }
    }

    /** Entry point of the child JVM used by the kill test. */
    public static final class CrashWriter {
        public static void main(String[] args) throws Exception {
            MerkleStore store = MerkleStore.open(Path.of(args[0]), StoreConfig.keepRecent(2));
            TreeMap<byte[], byte[]> model = model();
            for (long v = 1; v < 100_000; v++) {
                WorkingSet ws = store.newWorkingSet();
                writeVersion(v, ws, model);
                store.commit(ws, v, b("meta" + v));
                System.out.println("committed " + v);
                System.out.flush();
            }
        }
    }
}
