package dev.teeledger.abci.state;

import static dev.teeledger.abci.state.MerkleStoreTest.b;
import static dev.teeledger.abci.state.MerkleStoreTest.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The latest-value cache (ADR 0010): hits, write-through, failed commits, races, bounds. */
class ValueCacheTest {

    @TempDir
    Path dir;

    private static TreeMap<byte[], byte[]> changes(String... kv) {
        TreeMap<byte[], byte[]> m = new TreeMap<>(Arrays::compareUnsigned);
        for (int i = 0; i < kv.length; i += 2) {
            m.put(b(kv[i]), kv[i + 1] == null ? WorkingSet.TOMBSTONE : b(kv[i + 1]));
        }
        return m;
    }

    @Test
    void hotReadsAreServedFromMemoryAndFollowEveryCommit() throws Exception {
        try (MerkleStore store = MerkleStore.open(dir, StoreConfig.defaults())) {
            WorkingSet ws = store.newWorkingSet();
            ws.put(b("credit/index"), b("1"));
            ws.put(b("gone"), b("x"));
            store.commit(ws, 1, null);
            assertThat(s(store.latest().get(b("credit/index")))).isEqualTo("1");
            assertThat(store.latest().get(b("never"))).isNull();
            assertThat(store.stats().cachedValues()).isGreaterThanOrEqualTo(3);
            byte[] read = store.latest().get(b("credit/index"));
            read[0] = 'X';
            assertThat(s(store.latest().get(b("credit/index")))).as("hits are copies").isEqualTo("1");
            WorkingSet next = store.newWorkingSet();
            next.put(b("credit/index"), b("2"));
            next.delete(b("gone"));
            next.put(b("never"), b("now"));
            assertThat(s(store.latest().get(b("credit/index")))).as("staged, not committed").isEqualTo("1");
            store.commit(next, 2, null);
            assertThat(s(store.latest().get(b("credit/index")))).isEqualTo("2");
            assertThat(store.latest().get(b("gone"))).isNull();
            assertThat(s(store.latest().get(b("never")))).isEqualTo("now");
            assertThat(s(store.newWorkingSet().get(b("credit/index")))).isEqualTo("2");
        }
    }

    @Test
    void failedCommitLeavesCachedValuesAsTheyWere() throws Exception {
        AtomicBoolean fail = new AtomicBoolean();
        StoreConfig config = StoreConfig.keepRecent(2).withFaultInjector(point -> {
            if (point == FaultPoint.BEFORE_WRITE && fail.getAndSet(false)) {
                throw new StoreException("injected");
            }
        });
        try (MerkleStore store = MerkleStore.open(dir, config)) {
            WorkingSet ws = store.newWorkingSet();
            ws.put(b("k"), b("old"));
            store.commit(ws, 1, null);
            assertThat(s(store.latest().get(b("k")))).isEqualTo("old");
            WorkingSet next = store.newWorkingSet();
            next.put(b("k"), b("new"));
            next.put(b("fresh"), b("f"));
            fail.set(true);
            assertThatThrownBy(() -> store.commit(next, 2, null)).isInstanceOf(StoreException.class);
            assertThat(s(store.latest().get(b("k")))).isEqualTo("old");
            assertThat(store.latest().get(b("fresh"))).isNull();
            store.commit(next, 2, null);
            assertThat(s(store.latest().get(b("k")))).isEqualTo("new");
        }
        try (MerkleStore store = MerkleStore.open(dir, config)) {
            assertThat(store.stats().cachedValues()).as("a reopen starts cold").isZero();
            assertThat(s(store.latest().get(b("k")))).isEqualTo("new");
        }
    }

    @Test
    void fillFromBeforeACommitCannotOverwriteTheCommittedValue() {
        ValueCache cache = new ValueCache(1 << 20, 1024);
        long seen = cache.generation();
        cache.committed(changes("k", "new"));
        cache.fill(b("k"), b("old"), seen);
        assertThat(s(cache.get(b("k")))).isEqualTo("new");
        cache.fill(b("other"), null, seen);
        assertThat(cache.get(b("other"))).as("stale fill dropped").isNull();
        cache.fill(b("other"), null, cache.generation());
        assertThat(cache.get(b("other"))).isSameAs(ValueCache.ABSENT);
        cache.committed(changes("k", null));
        assertThat(cache.get(b("k"))).isSameAs(ValueCache.ABSENT);
    }

    @Test
    void staysWithinItsByteBoundAndSkipsLargeValues() {
        ValueCache cache = new ValueCache(10_000, 512);
        for (int i = 0; i < 1_000; i++) {
            cache.fill(b("key" + i), new byte[100], cache.generation());
        }
        assertThat(cache.size()).isBetween(1, 10_000 / 100);
        assertThat(cache.get(b("key999"))).isNotNull();
        assertThat(cache.get(b("key0"))).as("least recently used evicted").isNull();
        cache.fill(b("big"), new byte[513], cache.generation());
        assertThat(cache.get(b("big"))).isNull();
        cache.fill(b("key999"), new byte[600], cache.generation());
        assertThat(cache.get(b("key999"))).as("an entry grown too large is dropped").isNull();
        assertThat(new ValueCache(0, 512).get(b("x"))).isNull();
    }

    @Test
    void concurrentReaderNeverSeesAnOlderValueThanCommitted() throws Exception {
        try (MerkleStore store = MerkleStore.open(dir, StoreConfig.keepRecent(3))) {
            WorkingSet ws = store.newWorkingSet();
            ws.put(b("counter"), b("0"));
            store.commit(ws, 1, null);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<String> failure = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                long last = 0;
                while (!stop.get()) {
                    long v = Long.parseLong(s(store.latest().get(b("counter"))));
                    if (v < last) {
                        failure.set("read " + v + " after " + last);
                        return;
                    }
                    last = v;
                }
            });
            reader.start();
            for (long v = 2; v <= 300; v++) {
                WorkingSet next = store.newWorkingSet();
                next.put(b("counter"), b(Long.toString(v - 1)));
                store.commit(next, v, null);
                // Once commit returns, every read sees the new value.
                assertThat(s(store.latest().get(b("counter")))).isEqualTo(Long.toString(v - 1));
            }
            stop.set(true);
            reader.join();
            assertThat(failure.get()).isNull();
        }
    }
}
