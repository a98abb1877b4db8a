package dev.teeledger.bench.state;

import dev.teeledger.abci.state.MerkleStore;
import dev.teeledger.abci.state.StoreConfig;
import dev.teeledger.abci.state.WorkingSet;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of one block's commit in the authenticated state store: {@code updates} writes (overwrites
 * of random existing keys, as balance updates are) over a state of {@code stateKeys} keys, then
 * {@link WorkingSet#rootHash()} (what FinalizeBlock does) and {@link MerkleStore#commit} with a
 * synced write and pruning (what Commit does). The state is built once per fork in a temporary
 * directory, in commits of 100,000 keys. Run it as described in docs/benchmarks.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 10)
@Measurement(iterations = 3, time = 10)
@Fork(value = 1, jvmArgs = {"-Xms4g", "-Xmx4g"})
public class StoreCommitBenchmark {

    private static final int SETUP_BATCH = 100_000;

    @Param("1000000")
    int stateKeys;

    @Param("10000")
    int updates;

    /** Versions kept; 2 makes every measured commit also prune the version before last. */
    @Param("2")
    int keepRecentVersions;

    /** Decoded tree nodes kept on the heap (StoreConfig default: 250,000). */
    @Param("250000")
    int nodeCacheSize;

    /** RocksDB block cache in MiB (StoreConfig default: 128). */
    @Param("128")
    int blockCacheMb;

    private Path dir;
    private MerkleStore store;
    private long version;
    private SplittableRandom random;

    static byte[] key(int i) {
        // Shaped like a module key: a short prefix and a 32-byte id.
        ByteBuffer buf = ByteBuffer.allocate(2 + 32);
        buf.put((byte) 'c').put((byte) '/');
        long x = i * 0x9E3779B97F4A7C15L;
        for (int j = 0; j < 4; j++) {
            x ^= x >>> 31;
            x *= 0xBF58476D1CE4E5B9L;
            buf.putLong(x);
        }
        return buf.array();
    }

    static byte[] value(long version, int i) {
        // About the size of a balance record: share count, index epoch, nonce, padding.
        ByteBuffer buf = ByteBuffer.allocate(64);
        buf.putLong(version).putInt(i).putLong(version * 31 + i);
        return buf.array();
    }

    @Setup(Level.Trial)
    public void buildState() throws Exception {
        dir = Files.createTempDirectory("store-commit-bench");
        store = MerkleStore.open(dir, StoreConfig.keepRecent(keepRecentVersions)
                .withNodeCacheSize(nodeCacheSize).withBlockCacheBytes((long) blockCacheMb << 20));
        long start = System.nanoTime();
        for (int from = 0; from < stateKeys; from += SETUP_BATCH) {
            WorkingSet ws = store.newWorkingSet();
            int to = Math.min(stateKeys, from + SETUP_BATCH);
            for (int i = from; i < to; i++) {
                ws.put(key(i), value(0, i));
            }
            store.commit(ws, ++version, null);
        }
        System.out.printf("%nsetup: %,d keys in %d commits, %.1f s, %s%n", stateKeys, version,
                (System.nanoTime() - start) / 1e9, store.stats());
        random = new SplittableRandom(42);
    }

    @Benchmark
    public byte[] commitBlock() throws Exception {
        WorkingSet ws = store.newWorkingSet();
        long v = ++version;
        for (int n = 0; n < updates; n++) {
            int i = random.nextInt(stateKeys);
            ws.put(key(i), value(v, i));
        }
        byte[] root = ws.rootHash();
        store.commit(ws, v, null);
        return root;
    }

    /** FinalizeBlock's share alone: stage the updates and compute the root, commit nothing. */
    @Benchmark
    public byte[] rootHashOnly() {
        WorkingSet ws = store.newWorkingSet();
        long v = version + 1;
        for (int n = 0; n < updates; n++) {
            int i = random.nextInt(stateKeys);
            ws.put(key(i), value(v, i));
        }
        return ws.rootHash();
    }

    /**
     * Without JMH: builds the state once and prints, per block, the time of staging plus
     * {@code rootHash()}, of {@code commit} (write and pruning), and the node reads that missed
     * the cache. Arguments: stateKeys updates blocks [nodeCacheSize].
     */
    public static void main(String[] args) throws Exception {
        StoreCommitBenchmark b = new StoreCommitBenchmark();
        b.stateKeys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        b.updates = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int blocks = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        b.nodeCacheSize = args.length > 3 ? Integer.parseInt(args[3]) : 250_000;
        b.blockCacheMb = 128;
        b.keepRecentVersions = 2;
        b.buildState();
        for (int n = 0; n < blocks; n++) {
            long reads0 = b.store.stats().nodeDiskReads();
            long t0 = System.nanoTime();
            WorkingSet ws = b.store.newWorkingSet();
            long v = ++b.version;
            for (int k = 0; k < b.updates; k++) {
                int i = b.random.nextInt(b.stateKeys);
                ws.put(key(i), value(v, i));
            }
            ws.rootHash();
            long t1 = System.nanoTime();
            long reads1 = b.store.stats().nodeDiskReads();
            b.store.commit(ws, v, null);
            long t2 = System.nanoTime();
            System.out.printf("block %d: stage+rootHash %.0f ms (%,d node reads from disk),"
                    + " commit+prune %.0f ms%n", v, (t1 - t0) / 1e6, reads1 - reads0,
                    (t2 - t1) / 1e6);
        }
        b.cleanUp();
    }

    @TearDown(Level.Trial)
    public void cleanUp() throws IOException {
        System.out.printf("%nafter run: %s%n", store.stats());
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
