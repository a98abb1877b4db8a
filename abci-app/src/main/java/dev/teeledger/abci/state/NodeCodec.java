package dev.teeledger.abci.state;

import dev.teeledger.protocol.merkle.SmtHash;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The on-disk encoding of tree nodes and of the keys they are stored under (see ADR 0002).
 *
 * <pre>
 * inner key  = u64 version ‖ u16 depth (0..255) ‖ first ceil(depth/8) bytes of the path
 *              (bits past depth are 0)
 * leaf key   = u64 version ‖ u16 0xFFFF ‖ keyHash(32)     (position-independent)
 * leaf       = 0x00 ‖ keyHash(32) ‖ valueHash(32) ‖ u32 keyLength ‖ key ‖ value
 * inner      = 0x01 ‖ child(left) ‖ child(right)
 * child      = 0x00                                         (empty)
 *            | 0x01 ‖ hash(32) ‖ u64 version ‖ keyHash(32)  (leaf)
 *            | 0x02 ‖ hash(32) ‖ u64 version                (inner)
 * root       = child                                        (per version, in the meta family)
 * stale      = u64 version → (u8 length ‖ node key)*        (the nodes that version retired)
 * </pre>
 * All integers are big-endian, so keys sort by version first: one commit's nodes sit together.
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

    /** Storage key of the inner node at {@code depth} on {@code path}, written at {@code version}. */
    static byte[] nodeKey(long version, int depth, byte[] path) {
        int prefixBytes = (depth + 7) >>> 3;
        byte[] key = new byte[10 + prefixBytes];
        ByteBuffer.wrap(key).putLong(version).putShort((short) depth);
        System.arraycopy(path, 0, key, 10, prefixBytes);
        int rest = depth & 7;
        if (rest != 0) {
            key[key.length - 1] &= (byte) (0xFF << (8 - rest));
        }
        return key;
    }

    /** Storage key of the leaf for {@code keyHash} written at {@code version}. */
    static byte[] leafKey(long version, byte[] keyHash) {
        return ByteBuffer.allocate(10 + 32).putLong(version).putShort(LEAF_MARK).put(keyHash)
                .array();
    }

    /** Storage key of a persisted node found at {@code depth} on {@code path}. */
    static byte[] storageKey(Node.Stored node, int depth, byte[] path) {
        return node.leaf() ? leafKey(node.version(), node.keyHash())
                : nodeKey(node.version(), depth, path);
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
            if (len < 10 || pos + 1 + len > data.length) {
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

    /** The root reference stored per version (a child record). */
    static byte[] encodeRoot(Node root, long version) {
        ByteBuffer buf = ByteBuffer.allocate(1 + 32 + 8 + 32);
        putChild(buf, root, version);
        return Arrays.copyOf(buf.array(), buf.position());
    }

    static Node decodeRoot(byte[] data) throws StoreException {
        try {
            ByteBuffer buf = ByteBuffer.wrap(data);
            Node root = getChild(buf);
            if (buf.hasRemaining()) {
                throw new StoreException("corrupt root record: trailing bytes");
            }
            return root;
        } catch (java.nio.BufferUnderflowException e) {
            throw new StoreException("corrupt root record", e);
        }
    }
}
