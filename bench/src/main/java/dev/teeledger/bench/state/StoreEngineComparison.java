package dev.teeledger.bench.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Quick engine comparison behind ADR 0002 (not JMH: each phase runs once, long enough to
 * dominate JIT warm-up). It replays the Merkle store's access pattern on the raw engines: a bulk
 * load of node-shaped entries (12-byte key, 83-byte value) in batches of 200,000, then
 * "blocks" of 100,000 random point reads of existing nodes plus 150,000 new nodes committed
 * with a synced write, which is what one commit of 10,000 updates costs the tree. Prints load
 * time, time per block and bytes on disk for RocksDB and for H2 MVStore.
 *
 * <pre>java -Xmx4g [-Dengine=rocksdb|mvstore] [-DblockSize=16384] [-DblockCacheMb=128] [-DnoCompression=true]
 *     -cp bench/target/benchmarks.jar dev.teeledger.bench.state.StoreEngineComparison [entries] [blocks]</pre>
 */
public final class StoreEngineComparison {

    private static final int KEY = 12;
    private static final int VALUE = 83;
    private static final int LOAD_BATCH = 200_000;
    private static final int READS = 100_000;
    private static final int WRITES = 150_000;

    private StoreEngineComparison() {
    }

    /** The two engines behind one tiny interface. */
    private interface Engine extends AutoCloseable {
        void put(byte[] key, byte[] value) throws Exception;

        byte[] get(byte[] key) throws Exception;

        void commit() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int entries = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        int blocks = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String only = System.getProperty("engine");
        for (String name : new String[] {"rocksdb", "mvstore"}) {
            if (only != null && !only.equals(name)) {
                continue;
            }
            Path dir = Files.createTempDirectory("engine-" + name);
            try {
                run(name, dir, entries, blocks);
            } finally {
                delete(dir);
            }
        }
    }

    private static void run(String name, Path dir, int entries, int blocks) throws Exception {
        SplittableRandom random = new SplittableRandom(1);
        try (Engine engine = name.equals("rocksdb") ? rocks(dir) : mvstore(dir)) {
            long t0 = System.nanoTime();
            for (int i = 0; i < entries; i++) {
                engine.put(key(i), bytes(random, VALUE));
                if ((i + 1) % LOAD_BATCH == 0) {
                    engine.commit();
                }
            }
            engine.commit();
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            long readNanos = 0;
            long writeNanos = 0;
            long next = entries;
            for (int b = 0; b < blocks; b++) {
                long r0 = System.nanoTime();
                for (int i = 0; i < READS; i++) {
                    int index = random.nextInt(entries);
                    if (engine.get(key(index)) == null) {
                        throw new IllegalStateException(name + " lost key " + index);
                    }
                }
                long w0 = System.nanoTime();
                for (int i = 0; i < WRITES; i++) {
                    engine.put(key(next++), bytes(random, VALUE));
                }
                engine.commit();
                long w1 = System.nanoTime();
                readNanos += w0 - r0;
                writeNanos += w1 - w0;
            }
            System.out.printf("%-8s load %,d entries: %6.1f s | per block: %,d reads %6.0f ms,"
                    + " %,d writes + synced commit %6.0f ms | disk %,d MB%n",
                    name, entries, loadSeconds, READS, readNanos / 1e6 / blocks, WRITES,
                    writeNanos / 1e6 / blocks, size(dir) >> 20);
        }
    }

    /** A well-mixed 12-byte key for index {@code i} (splitmix64 finaliser). */
    private static byte[] key(long i) {
        long x = i * 0x9E3779B97F4A7C15L;
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        x ^= x >>> 31;
        byte[] k = new byte[KEY];
        for (int j = 0; j < 8; j++) {
            k[j] = (byte) (x >>> (56 - 8 * j));
        }
        k[8] = (byte) (i >>> 24);
        k[9] = (byte) (i >>> 16);
        k[10] = (byte) (i >>> 8);
        k[11] = (byte) i;
        return k;
    }

    private static byte[] bytes(SplittableRandom random, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i += 8) {
            long x = random.nextLong();
            for (int j = 0; j < 8 && i + j < length; j++) {
                b[i + j] = (byte) (x >>> (8 * j));
            }
        }
        return b;
    }

    private static Engine rocks(Path dir) throws Exception {
        RocksDB.loadLibrary();
        LRUCache cache = new LRUCache(Long.getLong("blockCacheMb", 128) << 20);
        BloomFilter bloom = new BloomFilter(10, false);
        Options options = new Options().setCreateIfMissing(true).setMaxBackgroundJobs(2)
                .setWriteBufferSize(64L << 20)
                .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache)
                        .setFilterPolicy(bloom)
                        .setBlockSize(Integer.getInteger("blockSize", 16 * 1024)));
        if (Boolean.getBoolean("noCompression")) {
            options.setCompressionType(org.rocksdb.CompressionType.NO_COMPRESSION);
        }
        RocksDB db = RocksDB.open(options, dir.toString());
        WriteOptions sync = new WriteOptions().setSync(true);
        return new Engine() {
            private WriteBatch batch = new WriteBatch();

            @Override
            public void put(byte[] key, byte[] value) throws Exception {
                batch.put(key, value);
            }

            @Override
            public byte[] get(byte[] key) throws Exception {
                return db.get(key);
            }

            @Override
            public void commit() throws Exception {
                db.write(sync, batch);
                batch.close();
                batch = new WriteBatch();
            }

            @Override
            public void close() {
                batch.close();
                sync.close();
                db.close();
                options.close();
                bloom.close();
                cache.close();
            }
        };
    }

    private static Engine mvstore(Path dir) {
        MVStore store = new MVStore.Builder().fileName(dir.resolve("state.mv").toString())
                .autoCommitDisabled().cacheSize(128).open();
        MVMap<byte[], byte[]> map = store.openMap("nodes");
        return new Engine() {
            @Override
            public void put(byte[] key, byte[] value) {
                map.put(key, value);
            }

            @Override
            public byte[] get(byte[] key) {
                return map.get(key);
            }

            @Override
            public void commit() {
                store.commit();
                store.sync();
            }

            @Override
            public void close() {
                store.close();
            }
        };
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
