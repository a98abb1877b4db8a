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
 * node key   = u64 version ‖ u16 depth ‖ first ceil(depth/8) bytes of the path (bits past depth 0)
 * leaf       = 0x00 ‖ keyHash(32) ‖ valueHash(32) ‖ u32 keyLength ‖ key ‖ value
 * inner      = 0x01 ‖ child(left) ‖ child(right)
 * child      = 0x00                                  (empty)
 *            | 0x01 ‖ hash(32) ‖ u64 version          (leaf)
 *            | 0x02 ‖ hash(32) ‖ u64 version          (inner)
 * stale      = u64 version → (u8 length ‖ node key)*   the nodes that version retired
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

    /** Storage key of the node at {@code depth} on {@code path}, written at {@code version}. */
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
        ByteBuffer buf = ByteBuffer.allocate(1 + 2 * (1 + 32 + 8));
        buf.put(INNER);
        putChild(buf, left, version);
        putChild(buf, right, version);
        return Arrays.copyOf(buf.array(), buf.position());
    }

    private static void putChild(ByteBuffer buf, Node child, long version) {
        if (child instanceof Node.Stored s) {
            buf.put(s.leaf() ? CHILD_LEAF : CHILD_INNER).put(s.hash()).putLong(s.version());
        } else if (child instanceof Node.NewLeaf l) {
            buf.put(CHILD_LEAF).put(l.hash()).putLong(version);
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
        return new Node.Stored(buf.getLong(), kind == CHILD_LEAF, hash);
    }

    /** Root reference stored per version: kind(0 empty, 1 leaf, 2 inner) ‖ hash ‖ u64 version. */
    static byte[] encodeRoot(Node root, long version) {
        ByteBuffer buf = ByteBuffer.allocate(1 + 32 + 8);
        putChild(buf, root, version);
        if (root instanceof Node.Empty) {
            buf.put(root.hash()).putLong(0);
        }
        return buf.array();
    }

    static Node decodeRoot(byte[] data) throws StoreException {
        if (data.length != 41) {
            throw new StoreException("corrupt root record: " + data.length + " bytes");
        }
        if (data[0] == CHILD_EMPTY) {
            return Node.Empty.INSTANCE;
        }
        try {
            return getChild(ByteBuffer.wrap(data));
        } catch (java.nio.BufferUnderflowException e) {
            throw new StoreException("corrupt root record", e);
        }
    }
}
