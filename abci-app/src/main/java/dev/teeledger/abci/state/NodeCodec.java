package dev.teeledger.abci.state;

import dev.teeledger.protocol.merkle.SmtHash;
import dev.teeledger.protocol.merkle.SubStore;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The on-disk encoding of tree nodes and of the keys they are stored under (see ADR 0002).
 *
 * <pre>
 * inner key  = u64 version ‖ u8 tree ‖ u16 depth (0..255) ‖ first ceil(depth/8) bytes of
 *              the path (bits past depth are 0)
 * leaf key   = u64 version ‖ u8 tree ‖ u16 0xFFFF ‖ keyHash(32)   (position-independent)
 * tree       = 0 for the top-level tree, else the SubStore code
 * leaf       = 0x00 ‖ keyHash(32) ‖ valueHash(32) ‖ u32 keyLength ‖ key ‖ value
 * inner      = 0x01 ‖ child(left) ‖ child(right)
 * child      = 0x00                                         (empty)
 *            | 0x01 ‖ hash(32) ‖ u64 version ‖ keyHash(32)  (leaf)
 *            | 0x02 ‖ hash(32) ‖ u64 version                (inner)
 * roots      = child(top) ‖ u8 n ‖ (u8 code ‖ child)*n      (per version, in the meta family;
 *                                                          n = every sub-store, by code)
 * stale      = u64 version → (u8 length ‖ node key)*        (the nodes that version retired)
 * </pre>
 * All integers are big-endian, so keys sort by version first: one commit's nodes sit together.
 * The tree byte keeps the trees apart: a top-level leaf and a data leaf may share a key hash.
 */
final class NodeCodec {

    static final byte LEAF = 0x00;
    static final byte INNER = 0x01;
    private static final byte CHILD_EMPTY = 0x00;
    private static final byte CHILD_LEAF = 0x01;
    private static final byte CHILD_INNER = 0x02;

    private NodeCodec() {
    }

    private static final short LEAF_MARK = (short) 0xFFFF;

    /** Tree byte of the top-level tree over the sub-store roots. */
    static final int TOP = 0;

    /** Length of the fixed head of every node key: version, tree, depth or leaf mark. */
    static final int KEY_HEAD = 8 + 1 + 2;

    /**
     * Storage key of the inner node of {@code tree} at {@code depth} on {@code path}, written at
     * {@code version}.
     */
    static byte[] nodeKey(int tree, long version, int depth, byte[] path) {
        int prefixBytes = (depth + 7) >>> 3;
        byte[] key = new byte[KEY_HEAD + prefixBytes];
        ByteBuffer.wrap(key).putLong(version).put((byte) tree).putShort((short) depth);
        System.arraycopy(path, 0, key, KEY_HEAD, prefixBytes);
        int rest = depth & 7;
        if (rest != 0) {
            key[key.length - 1] &= (byte) (0xFF << (8 - rest));
        }
        return key;
    }

    /** Storage key of the leaf of {@code tree} for {@code keyHash} written at {@code version}. */
    static byte[] leafKey(int tree, long version, byte[] keyHash) {
        return ByteBuffer.allocate(KEY_HEAD + 32).putLong(version).put((byte) tree)
                .putShort(LEAF_MARK).put(keyHash).array();
    }

    /** Storage key of a persisted node of {@code tree} found at {@code depth} on {@code path}. */
    static byte[] storageKey(int tree, Node.Stored node, int depth, byte[] path) {
        return node.leaf() ? leafKey(tree, node.version(), node.keyHash())
                : nodeKey(tree, node.version(), depth, path);
    }

    /** The node keys a version retired, each as {@code u8 length ‖ node key}. */
    static byte[] encodeStaleList(List<byte[]> nodeKeys) {
        int size = 0;
        for (byte[] k : nodeKeys) {
            size += 1 + k.length;
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        for (byte[] k : nodeKeys) {
            buf.put((byte) k.length).put(k);
        }
        return buf.array();
    }

    static List<byte[]> decodeStaleList(byte[] data) throws StoreException {
        List<byte[]> keys = new ArrayList<>();
        int pos = 0;
        while (pos < data.length) {
            int len = data[pos] & 0xFF;
            if (len < KEY_HEAD || pos + 1 + len > data.length) {
                throw new StoreException("corrupt stale-node record at offset " + pos);
            }
            keys.add(Arrays.copyOfRange(data, pos + 1, pos + 1 + len));
            pos += 1 + len;
        }
        return keys;
    }

    static byte[] encodeLeaf(Node.LeafData leaf) {
        byte[] out = new byte[1 + 64 + 4 + leaf.key().length + leaf.value().length];
        ByteBuffer.wrap(out).put(LEAF).put(leaf.keyHash()).put(leaf.valueHash())
                .putInt(leaf.key().length).put(leaf.key()).put(leaf.value());
        return out;
    }

    /** Encodes an inner node; new children are referenced at {@code version}. */
    static byte[] encodeInner(Node left, Node right, long version) {
        ByteBuffer buf = ByteBuffer.allocate(1 + 2 * (1 + 32 + 8 + 32));
        buf.put(INNER);
        putChild(buf, left, version);
        putChild(buf, right, version);
        return Arrays.copyOf(buf.array(), buf.position());
    }

    private static void putChild(ByteBuffer buf, Node child, long version) {
        if (child instanceof Node.Stored s) {
            if (s.leaf()) {
                buf.put(CHILD_LEAF).put(s.hash()).putLong(s.version()).put(s.keyHash());
            } else {
                buf.put(CHILD_INNER).put(s.hash()).putLong(s.version());
            }
        } else if (child instanceof Node.NewLeaf l) {
            buf.put(CHILD_LEAF).put(l.hash()).putLong(version).put(l.data().keyHash());
        } else if (child instanceof Node.NewInner i) {
            buf.put(CHILD_INNER).put(i.hash()).putLong(version);
        } else {
            buf.put(CHILD_EMPTY);
        }
    }

    /** Decodes a stored node; returns {@link Node.LeafData} or {@link Node.InnerData}. */
    static Object decode(byte[] data) throws StoreException {
        try {
            ByteBuffer buf = ByteBuffer.wrap(data);
            byte tag = buf.get();
            if (tag == LEAF) {
                byte[] keyHash = new byte[32];
                byte[] valueHash = new byte[32];
                buf.get(keyHash).get(valueHash);
                int keyLength = buf.getInt();
                if (keyLength < 0 || keyLength > buf.remaining()) {
                    throw new StoreException("corrupt leaf node: key length " + keyLength);
                }
                byte[] key = new byte[keyLength];
                buf.get(key);
                byte[] value = new byte[buf.remaining()];
                buf.get(value);
                return new Node.LeafData(keyHash, key, value, valueHash);
            }
            if (tag == INNER) {
                Node left = getChild(buf);
                Node right = getChild(buf);
                if (buf.hasRemaining()) {
                    throw new StoreException("corrupt inner node: trailing bytes");
                }
                return new Node.InnerData(left, right);
            }
            throw new StoreException("corrupt node: tag " + tag);
        } catch (java.nio.BufferUnderflowException e) {
            throw new StoreException("corrupt node: truncated", e);
        }
    }

    private static Node getChild(ByteBuffer buf) throws StoreException {
        byte kind = buf.get();
        if (kind == CHILD_EMPTY) {
            return Node.Empty.INSTANCE;
        }
        if (kind != CHILD_LEAF && kind != CHILD_INNER) {
            throw new StoreException("corrupt inner node: child kind " + kind);
        }
        byte[] hash = new byte[SmtHash.LENGTH];
        buf.get(hash);
        long version = buf.getLong();
        if (kind == CHILD_INNER) {
            return Node.Stored.inner(version, hash);
        }
        byte[] keyHash = new byte[SmtHash.LENGTH];
        buf.get(keyHash);
        return Node.Stored.leaf(version, hash, keyHash);
    }

    /** The roots stored per version: the top-level tree's, then every sub-store's by code. */
    static byte[] encodeRoots(RootSet roots, long version) {
        SubStore[] stores = SubStore.values();
        ByteBuffer buf = ByteBuffer.allocate((1 + stores.length) * (2 + 32 + 8 + 32) + 1);
        putChild(buf, roots.top(), version);
        buf.put((byte) stores.length);
        for (SubStore s : stores) {
            buf.put((byte) s.code());
            putChild(buf, roots.store(s), version);
        }
        return Arrays.copyOf(buf.array(), buf.position());
    }

    /**
     * Decodes a roots record. A record that does not list exactly this build's sub-stores was
     * written under another layout and is refused: reading it would give wrong app hashes.
     */
    static RootSet decodeRoots(byte[] data) throws StoreException {
        try {
            ByteBuffer buf = ByteBuffer.wrap(data);
            Node top = getChild(buf);
            SubStore[] stores = SubStore.values();
            int n = buf.get() & 0xFF;
            if (n != stores.length) {
                throw new StoreException("roots record lists " + n + " sub-stores, this build has "
                        + stores.length + ": the sub-store layout changed (ADR 0010), migrate first");
            }
            Node[] roots = new Node[stores.length];
            for (SubStore s : stores) {
                int code = buf.get() & 0xFF;
                if (code != s.code()) {
                    throw new StoreException("roots record has sub-store code " + code + " where "
                            + s.storeName() + " (" + s.code() + ") belongs: the layout changed");
                }
                roots[s.ordinal()] = getChild(buf);
            }
            if (buf.hasRemaining()) {
                throw new StoreException("corrupt roots record: trailing bytes");
            }
            return new RootSet(top, roots);
        } catch (java.nio.BufferUnderflowException e) {
            throw new StoreException("corrupt roots record", e);
        }
    }
}
