package dev.teeledger.abci.state;

import dev.teeledger.protocol.merkle.StateProof;
import dev.teeledger.protocol.merkle.SubStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The authenticated, versioned, persistent application state, kept in RocksDB: a multistore of
 * sparse Merkle trees (see {@link dev.teeledger.protocol.merkle.SmtHash}), one per
 * {@link SubStore}, under a top-level tree of sub-store roots whose root is the app hash
 * (ADR 0002, ADR 0010).
 * The ABCI layer opens it at start-up, reports {@link #lastVersion()} / {@link #lastRootHash()}
 * in {@code Info}, executes each block in a {@link #newWorkingSet()}, and calls {@link #commit}
 * in {@code Commit}; the query connection calls {@link #latest()}, {@link #prove} and
 * {@link #rootHash(long)}.
 *
 * <p>Guarantees: a commit is one synchronous RocksDB write batch holding the new tree nodes, the
 * flat key→value table, the version's root record, the key count and the app metadata, so a
 * crash at any point leaves either the previous or the new version, never a mix. The root
 * depends only on the set of key-value pairs. A write costs O(log n) hashes in its own
 * sub-store of n keys plus a constant for the top-level tree, whatever the other sub-stores
 * hold; latest reads of hot keys are answered from an in-memory value cache (ADR 0010). Versions older than
 * {@link StoreConfig#keepRecentVersions()} are pruned after each commit (JMT-style stale-node
 * index; see ADR 0002). {@code commit} and {@code newWorkingSet} are for one thread (the
 * consensus connection); reads, proofs and stats may run concurrently from other threads.
 */
public final class MerkleStore implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(MerkleStore.class.getName());

    /** On-disk layout version, checked at open. */
    static final int FORMAT_VERSION = 2;

    private static final byte[] META_FORMAT = {'F'};
    private static final byte[] META_LATEST = {'L'};
    private static final byte[] META_OLDEST = {'O'};
    private static final byte[] META_COUNT = {'C'};
    private static final byte[] META_APP = {'A'};
    private static final byte ROOT_PREFIX = 'R';

    /** Values above this size are read from RocksDB every time rather than cached. */
    private static final int MAX_CACHED_VALUE = 64 * 1024;

    private final Path dir;
    private final StoreConfig config;
    private final List<AutoCloseable> resources;
    private final RocksDB db;
    private final ColumnFamilyHandle meta;
    private final ColumnFamilyHandle flat;
    private final ColumnFamilyHandle nodes;
    private final ColumnFamilyHandle stale;
    private final WriteOptions syncWrite;
    private final WriteOptions plainWrite;
    private final NodeCache cache;
    private final ValueCache values;
    private final TreeReader reader;
    private final AtomicLong pruneFailures = new AtomicLong();
    private final AtomicLong nodeDiskReads = new AtomicLong();
    private volatile Head head;
    private volatile boolean closed;

    /** What the last commit left: read by many threads, replaced whole by the committer. */
    private record Head(long version, RootSet roots, long oldest, long keyCount,
            byte[] appMetadata) {
    }

    private MerkleStore(Path dir, StoreConfig config, List<AutoCloseable> resources, RocksDB db,
            List<ColumnFamilyHandle> handles, WriteOptions syncWrite, WriteOptions plainWrite) {
        this.dir = dir;
        this.config = config;
        this.resources = resources;
        this.db = db;
        this.meta = handles.get(0);
        this.flat = handles.get(1);
        this.nodes = handles.get(2);
        this.stale = handles.get(3);
        this.syncWrite = syncWrite;
        this.plainWrite = plainWrite;
        this.cache = new NodeCache(config.nodeCacheSize());
        this.values = new ValueCache(config.valueCacheBytes(), MAX_CACHED_VALUE);
        this.reader = new TreeReader(this::loadNode);
    }

    /**
     * Opens (creating if needed) the store in {@code dir}.
     *
     * @throws StoreException if the directory cannot be used, is locked by another process, or
     *     holds an unknown format
     */
    public static MerkleStore open(Path dir, StoreConfig config) throws StoreException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(config, "config");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StoreException("cannot create store directory " + dir, e);
        }
        RocksDB.loadLibrary();
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            Cache blockCache = track(resources, new LRUCache(Math.max(config.blockCacheBytes(),
                    1L << 20)));
            BloomFilter bloom = track(resources, new BloomFilter(10, false));
            // Tree nodes are read by point lookups only (one per level of a path), so small
            // blocks keep each cache miss cheap; hashes do not compress, so nodes skip it.
            BlockBasedTableConfig table = new BlockBasedTableConfig()
                    .setBlockCache(blockCache)
                    .setFilterPolicy(bloom)
                    .setBlockSize(4 * 1024);
            ColumnFamilyOptions cfOptions = track(resources, new ColumnFamilyOptions()
                    .setTableFormatConfig(table)
                    .setWriteBufferSize(64L << 20));
            ColumnFamilyOptions nodeOptions = track(resources, new ColumnFamilyOptions()
                    .setTableFormatConfig(table)
                    .setCompressionType(CompressionType.NO_COMPRESSION)
                    .setWriteBufferSize(64L << 20));
            DBOptions dbOptions = track(resources, new DBOptions()
                    .setCreateIfMissing(true)
                    .setCreateMissingColumnFamilies(true)
                    .setMaxBackgroundJobs(2));
            List<ColumnFamilyDescriptor> descriptors = List.of(
                    new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
                    new ColumnFamilyDescriptor(bytes("flat"), cfOptions),
                    new ColumnFamilyDescriptor(bytes("nodes"), nodeOptions),
                    new ColumnFamilyDescriptor(bytes("stale"), cfOptions));
            WriteOptions syncWrite = track(resources, new WriteOptions().setSync(true));
            WriteOptions plainWrite = track(resources, new WriteOptions());
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            RocksDB db = track(resources,
                    RocksDB.open(dbOptions, dir.toString(), descriptors, handles));
            // Resources close in reverse order: handles, then the database, then its options.
            resources.addAll(handles);
            MerkleStore store = new MerkleStore(dir, config, resources, db, handles, syncWrite,
                    plainWrite);
            store.head = store.readHead();
            return store;
        } catch (RocksDBException e) {
            closeAll(resources);
            throw new StoreException("cannot open RocksDB store in " + dir + ": "
                    + e.getMessage(), e);
        } catch (StoreException | RuntimeException e) {
            closeAll(resources);
            throw e;
        }
    }

    private Head readHead() throws StoreException, RocksDBException {
        byte[] format = db.get(meta, META_FORMAT);
        byte[] latest = db.get(meta, META_LATEST);
        if (format == null) {
            if (latest != null) {
                throw new StoreException("store in " + dir + " has data but no format record");
            }
            db.put(meta, syncWrite, META_FORMAT, longBytes(FORMAT_VERSION));
            return new Head(0, RootSet.empty(), 0, 0, null);
        }
        if (format.length != 8 || ByteBuffer.wrap(format).getLong() != FORMAT_VERSION) {
            throw new StoreException("store in " + dir + " has unsupported format "
                    + Arrays.toString(format));
        }
        if (latest == null) {
            return new Head(0, RootSet.empty(), 0, 0, null);
        }
        long version = longOf(latest);
        byte[] rootRecord = db.get(meta, rootKey(version));
        if (rootRecord == null) {
            throw new StoreException("store in " + dir + " lacks the root of version " + version);
        }
        return new Head(version, NodeCodec.decodeRoots(rootRecord),
                longOf(db.get(meta, META_OLDEST)), longOf(db.get(meta, META_COUNT)),
                db.get(meta, META_APP));
    }

    /** Last committed version; 0 when nothing was committed yet. */
    public long lastVersion() {
        return head.version();
    }

    /**
     * Root hash (app hash) of the last committed version. Before the first commit it is the
     * root of the empty state, {@link #emptyStateRoot()}, which is also what a working set with
     * no changes reports.
     */
    public byte[] lastRootHash() {
        Head h = head;
        return h.version() == 0 ? emptyStateRoot() : h.roots().top().hash().clone();
    }

    /**
     * The app hash of a state holding no key: the top-level tree with every sub-store's root
     * all zero. A constant of the sub-store layout (ADR 0010).
     */
    public static byte[] emptyStateRoot() {
        return StateUpdate.EMPTY_STATE_ROOT.clone();
    }

    /** The app metadata stored with the last commit, or null if none. */
    public byte[] appMetadata() {
        byte[] m = head.appMetadata();
        return m == null ? null : m.clone();
    }

    /** Oldest version still queryable; 0 when nothing was committed yet. */
    public long oldestRetainedVersion() {
        return head.oldest();
    }

    /**
     * The committed state, always at the latest version: reads after a commit see the new
     * version. Each call of {@code get} or {@code scan} sees one consistent version. Use
     * {@link #readerAt(long)} to stay on one version.
     */
    public KvReader latest() {
        return new KvReader() {
            @Override
            public byte[] get(byte[] key) {
                return committedGet(key);
            }

            @Override
            public void scan(byte[] prefix, BiConsumer<byte[], byte[]> visitor) {
                Objects.requireNonNull(prefix, "prefix");
                Objects.requireNonNull(visitor, "visitor");
                try (Cursor c = committedCursor(prefix)) {
                    for (; c.valid(); c.next()) {
                        visitor.accept(c.key(), c.value());
                    }
                }
            }
        };
    }

    /**
     * A reader pinned to a retained {@code version}, walking that version's tree: {@code get}
     * costs O(depth) node reads, {@code scan} visits every leaf of the version (meant for
     * audits and tests, not for block execution). Reads fail with
     * {@link UncheckedStoreException} once the version is pruned.
     *
     * @throws VersionUnavailableException if the version is not retained
     */
    public KvReader readerAt(long version) throws StoreException {
        RootSet roots = rootsAt(version);
        return new KvReader() {
            @Override
            public byte[] get(byte[] key) {
                Objects.requireNonNull(key, "key");
                SubStore s = SubStore.of(key);
                try {
                    return reader.get(s.code(), roots.store(s), key);
                } catch (StoreException e) {
                    throw new UncheckedStoreException(explainMissing(version, e));
                }
            }

            @Override
            public void scan(byte[] prefix, BiConsumer<byte[], byte[]> visitor) {
                Objects.requireNonNull(prefix, "prefix");
                Objects.requireNonNull(visitor, "visitor");
                List<Node.LeafData> found = new ArrayList<>();
                try {
                    for (SubStore s : SubStore.values()) {
                        if (s.mayHoldKeysStartingWith(prefix)) {
                            reader.collect(s.code(), roots.store(s), prefix, found);
                        }
                    }
                } catch (StoreException e) {
                    throw new UncheckedStoreException(explainMissing(version, e));
                }
                found.sort((a, b) -> Arrays.compareUnsigned(a.key(), b.key()));
                for (Node.LeafData leaf : found) {
                    visitor.accept(leaf.key().clone(), leaf.value().clone());
                }
            }
        };
    }

    /** A new, empty working set over the last committed version. */
    public WorkingSet newWorkingSet() {
        ensureOpen();
        return new WorkingSet(this, null, head.version());
    }

    /**
     * Persists {@code ws} atomically as {@code version} with {@code appMetadata} (opaque to the
     * store, e.g. the ABCI layer's last block info; null stores none), then prunes versions
     * that fall out of the retention window. On return the new version is durable (synced
     * write). If this throws before the write, nothing changed and {@code ws} may be committed
     * again; a failure of pruning alone does not fail the commit (it is counted in
     * {@link StoreStats#pruneFailures()} and retried by the next commit).
     *
     * @throws StoreException if {@code ws} is a branch, belongs to another store, was already
     *     committed or is based on an older version, if {@code version <= lastVersion()}, or if
     *     the write fails
     */
    public synchronized void commit(WorkingSet ws, long version, byte[] appMetadata)
            throws StoreException {
        ensureOpen();
        Objects.requireNonNull(ws, "ws");
        Head h = head;
        if (ws.store() != this) {
            throw new StoreException("working set belongs to another store");
        }
        if (ws.isBranch()) {
            throw new StoreException("a branch cannot be committed; merge it into its parent");
        }
        if (ws.isFinished()) {
            throw new StoreException("working set was already committed");
        }
        if (ws.baseVersion() != h.version()) {
            throw new StoreException("working set is based on version " + ws.baseVersion()
                    + " but the store is at " + h.version());
        }
        if (version <= h.version()) {
            throw new StoreException("version " + version + " must be greater than the last "
                    + "committed version " + h.version());
        }
        FaultInjector fault = config.faultInjector();
        fault.reached(FaultPoint.BEFORE_ROOT);
        StateUpdate result = ws.update();
        fault.reached(FaultPoint.BEFORE_BATCH);
        List<Object[]> written = new ArrayList<>();
        long keyCount = h.keyCount() + result.keyCountDelta();
        long oldest = h.oldest() == 0 ? version : h.oldest();
        try (WriteBatch batch = new WriteBatch()) {
            result.persist(version, (key, encoded, decoded) -> {
                put(batch, nodes, key, encoded);
                written.add(new Object[] {key, decoded});
            });
            fault.reached(FaultPoint.AFTER_NODES_STAGED);
            if (!result.staleNodeKeys().isEmpty()) {
                // One record per version rather than one per node: a commit of 10,000 updates
                // retires ~150,000 nodes, and one large value is far cheaper to write and scan.
                batch.put(stale, longBytes(version),
                        NodeCodec.encodeStaleList(result.staleNodeKeys()));
            }
            for (Map.Entry<byte[], byte[]> e : ws.effectiveChanges().entrySet()) {
                if (e.getValue() == WorkingSet.TOMBSTONE) {
                    batch.delete(flat, e.getKey());
                } else {
                    batch.put(flat, e.getKey(), e.getValue());
                }
            }
            batch.put(meta, rootKey(version), NodeCodec.encodeRoots(result.roots(), version));
            batch.put(meta, META_LATEST, longBytes(version));
            batch.put(meta, META_OLDEST, longBytes(oldest));
            batch.put(meta, META_COUNT, longBytes(keyCount));
            if (appMetadata == null) {
                batch.delete(meta, META_APP);
            } else {
                batch.put(meta, META_APP, appMetadata);
            }
            fault.reached(FaultPoint.BEFORE_WRITE);
            db.write(syncWrite, batch);
        } catch (RocksDBException e) {
            throw new StoreException("commit of version " + version + " failed: "
                    + e.getMessage(), e);
        }
        // The write is durable: publish the cached values, then the head, before anything else
        // can fail (a fault after this point must still leave the new version visible).
        values.committed(ws.effectiveChanges());
        head = new Head(version, result.roots().asStored(version), oldest, keyCount,
                appMetadata == null ? null : appMetadata.clone());
        ws.finish();
        for (Object[] w : written) {
            cache.put((byte[]) w[0], w[1]);
        }
        fault.reached(FaultPoint.AFTER_WRITE);
        try {
            prune(version);
        } catch (StoreException | RuntimeException e) {
            pruneFailures.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "pruning after version " + version
                    + " failed; the next commit retries it", e);
        }
    }

    private static void put(WriteBatch batch, ColumnFamilyHandle cf, byte[] key, byte[] value)
            throws StoreException {
        try {
            batch.put(cf, key, value);
        } catch (RocksDBException e) {
            throw new StoreException("cannot stage a write: " + e.getMessage(), e);
        }
    }

    /** Deletes every node that no retained version uses, then the old root records. */
    private void prune(long version) throws StoreException {
        int keep = config.keepRecentVersions();
        Head h = head;
        if (keep == 0 || version - keep + 1 <= h.oldest()) {
            return;
        }
        long target = version - keep + 1;
        try (WriteBatch batch = new WriteBatch()) {
            long newOldest = firstRootAtOrAfter(target);
            try (RocksIterator it = db.newIterator(stale)) {
                // A node stale since s is absent from version s and every later version, so
                // it is unreachable from all retained versions once s <= newOldest.
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    if (ByteBuffer.wrap(it.key()).getLong() > newOldest) {
                        break;
                    }
                    for (byte[] nodeKey : NodeCodec.decodeStaleList(it.value())) {
                        batch.delete(nodes, nodeKey);
                    }
                }
            }
            batch.deleteRange(stale, new byte[0], longBytes(newOldest + 1));
            batch.deleteRange(meta, rootKey(0), rootKey(newOldest));
            batch.put(meta, META_OLDEST, longBytes(newOldest));
            config.faultInjector().reached(FaultPoint.BEFORE_PRUNE_WRITE);
            db.write(plainWrite, batch);
            Head now = head;
            head = new Head(now.version(), now.roots(), newOldest, now.keyCount(),
                    now.appMetadata());
        } catch (RocksDBException e) {
            throw new StoreException("pruning failed: " + e.getMessage(), e);
        }
    }

    private long firstRootAtOrAfter(long version) throws StoreException {
        try (RocksIterator it = db.newIterator(meta)) {
            it.seek(rootKey(version));
            if (it.isValid() && it.key().length == 9 && it.key()[0] == ROOT_PREFIX) {
                return ByteBuffer.wrap(it.key(), 1, 8).getLong();
            }
        }
        throw new StoreException("no root record at or after version " + version);
    }

    /**
     * The value of {@code key} at a retained {@code version} (null if absent) with a
     * membership or non-membership proof against {@link #rootHash(long) rootHash(version)}: the
     * key's proof in its sub-store, then the sub-store's entry in the top-level tree.
     *
     * @throws VersionUnavailableException if the version is pruned, in the future or was never
     *     committed
     */
    public ProvenValue prove(byte[] key, long version) throws StoreException {
        Objects.requireNonNull(key, "key");
        RootSet roots = rootsAt(version);
        SubStore s = SubStore.of(key);
        try {
            TreeReader.Found inStore = reader.prove(s.code(), roots.store(s), key);
            TreeReader.Found storeEntry = reader.prove(NodeCodec.TOP, roots.top(), s.nameBytes());
            if (storeEntry.value() == null
                    || !Arrays.equals(storeEntry.value(), roots.store(s).hash())) {
                throw new StoreException("corrupt store: the top-level tree of version " + version
                        + " does not hold the root of sub-store " + s.storeName());
            }
            return new ProvenValue(inStore.value(),
                    new StateProof(s, inStore.proof(), storeEntry.proof()), version);
        } catch (StoreException e) {
            throw explainMissing(version, e);
        }
    }

    /**
     * The root hash of a retained {@code version}.
     *
     * @throws VersionUnavailableException if the version is pruned, in the future or was never
     *     committed
     */
    public byte[] rootHash(long version) throws StoreException {
        return rootsAt(version).top().hash().clone();
    }

    /** Figures for metrics; cheap enough to poll every few seconds. */
    public StoreStats stats() {
        ensureOpen();
        Head h = head;
        long bytes = 0;
        long jobs = 0;
        for (ColumnFamilyHandle cf : List.of(meta, flat, nodes, stale)) {
            try {
                bytes += db.getLongProperty(cf, "rocksdb.total-sst-files-size");
                bytes += db.getLongProperty(cf, "rocksdb.cur-size-all-mem-tables");
                jobs += db.getLongProperty(cf, "rocksdb.compaction-pending");
                jobs += db.getLongProperty(cf, "rocksdb.mem-table-flush-pending");
            } catch (RocksDBException e) {
                // Statistics are best effort; a missing property must not break metrics.
            }
        }
        try {
            jobs += db.getLongProperty("rocksdb.num-running-compactions");
            jobs += db.getLongProperty("rocksdb.num-running-flushes");
        } catch (RocksDBException e) {
            // As above.
        }
        return new StoreStats(h.version(), h.oldest(), h.keyCount(), bytes, cache.size(),
                pruneFailures.get(), nodeDiskReads.get(), values.size(), (int) jobs);
    }

    /** The directory the store lives in. */
    public Path directory() {
        return dir;
    }

    /**
     * Closes the database. Call it only after the ABCI connections stopped using the store and
     * its readers: RocksDB handles must not be used concurrently with their release.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeAll(resources);
    }

    /** Number of tree nodes on disk, all versions (a full scan; diagnostics and tests). */
    long storedNodeCount() {
        return storedNodeCount(-1);
    }

    /** Number of nodes of {@code tree} on disk (-1: all trees), all versions (a full scan). */
    long storedNodeCount(int tree) {
        ensureOpen();
        long n = 0;
        try (RocksIterator it = db.newIterator(nodes)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                if (tree < 0 || (it.key()[8] & 0xFF) == tree) {
                    n++;
                }
            }
        }
        return n;
    }

    // ---- package-private services for WorkingSet ----------------------------------------

    byte[] committedGet(byte[] key) {
        ensureOpen();
        Objects.requireNonNull(key, "key");
        byte[] cached = values.get(key);
        if (cached != null) {
            return cached == ValueCache.ABSENT ? null : cached.clone();
        }
        long generation = values.generation();
        try {
            byte[] value = db.get(flat, key);
            values.fill(key, value, generation);
            return value;
        } catch (RocksDBException e) {
            throw new UncheckedStoreException(new StoreException("read failed: "
                    + e.getMessage(), e));
        }
    }

    Cursor committedCursor(byte[] prefix) {
        ensureOpen();
        RocksIterator it = db.newIterator(flat);
        it.seek(prefix);
        return new Cursor() {
            private byte[] key;
            private byte[] value;

            {
                load();
            }

            private void load() {
                if (it.isValid() && TreeReader.startsWith(it.key(), prefix)) {
                    key = it.key();
                    value = it.value();
                } else {
                    key = null;
                    value = null;
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
                it.next();
                load();
            }

            @Override
            public void close() {
                it.close();
            }
        };
    }

    StateUpdate computeUpdate(NavigableMap<byte[], byte[]> changes, long baseVersion)
            throws StoreException {
        Head h = head;
        if (h.version() != baseVersion) {
            throw new StoreException("working set is based on version " + baseVersion
                    + " but the store is at " + h.version());
        }
        return StateUpdate.apply(h.roots(), changes, this::loadNode);
    }

    private Object loadNode(int tree, Node.Stored node, int depth, byte[] path)
            throws StoreException {
        byte[] key = NodeCodec.storageKey(tree, node, depth, path);
        Object cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        ensureOpen();
        nodeDiskReads.incrementAndGet();
        byte[] data;
        try {
            data = db.get(nodes, key);
        } catch (RocksDBException e) {
            throw new StoreException("node read failed: " + e.getMessage(), e);
        }
        if (data == null) {
            throw new StoreException("tree node (version " + node.version() + ", depth "
                    + depth + ") is missing");
        }
        Object decoded = NodeCodec.decode(data);
        cache.put(key, decoded);
        return decoded;
    }

    private RootSet rootsAt(long version) throws StoreException {
        ensureOpen();
        Head h = head;
        if (h.version() == 0) {
            throw new VersionUnavailableException(version, "nothing has been committed yet");
        }
        if (version > h.version()) {
            throw new VersionUnavailableException(version, "version " + version
                    + " is in the future; the last committed version is " + h.version());
        }
        if (version < h.oldest()) {
            throw new VersionUnavailableException(version, "version " + version
                    + " was pruned; the oldest retained version is " + h.oldest());
        }
        if (version == h.version()) {
            return h.roots();
        }
        byte[] record;
        try {
            record = db.get(meta, rootKey(version));
        } catch (RocksDBException e) {
            throw new StoreException("root read failed: " + e.getMessage(), e);
        }
        if (record == null) {
            if (version < head.oldest()) {
                throw new VersionUnavailableException(version, "version " + version
                        + " was pruned; the oldest retained version is " + head.oldest());
            }
            throw new VersionUnavailableException(version, "version " + version
                    + " was never committed");
        }
        return NodeCodec.decodeRoots(record);
    }

    /** A missing node under a version that got pruned meanwhile is a pruning race, not damage. */
    private StoreException explainMissing(long version, StoreException e) {
        if (version < head.oldest()) {
            return new VersionUnavailableException(version, "version " + version
                    + " was pruned while it was being read");
        }
        return e;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("store in " + dir + " is closed");
        }
    }

    private static byte[] rootKey(long version) {
        return ByteBuffer.allocate(9).put(ROOT_PREFIX).putLong(version).array();
    }

    private static byte[] longBytes(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    private static long longOf(byte[] b) throws StoreException {
        if (b == null || b.length != 8) {
            throw new StoreException("corrupt metadata record");
        }
        return ByteBuffer.wrap(b).getLong();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static <T extends AutoCloseable> T track(List<AutoCloseable> list, T resource) {
        list.add(resource);
        return resource;
    }

    /** Closes in reverse order of creation, as RocksDB requires (handles before the database). */
    private static void closeAll(List<AutoCloseable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            AutoCloseable r = resources.get(i);
            try {
                r.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "closing a RocksDB resource failed", e);
            }
        }
        resources.clear();
    }
}
