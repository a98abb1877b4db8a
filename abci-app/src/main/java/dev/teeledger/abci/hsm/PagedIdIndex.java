package dev.teeledger.abci.hsm;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import dev.teeledger.abci.state.KvReader;
import dev.teeledger.abci.state.KvStore;
import dev.teeledger.protocol.state.v1.HsmIdPage;
import dev.teeledger.protocol.state.v1.HsmListCount;
import dev.teeledger.protocol.state.v1.HsmListEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * Named lists of 32-byte HSM ids kept as fixed-size pages in state, so that one page is one
 * stored value with one Merkle proof (the store hashes keys, so it has no range proofs). A list
 * has a count record, pages of at most {@link HsmKeys#PAGE_SIZE} ids and one member record per id
 * holding its position. Positions are dense (0..count-1): adding appends at the end; removing
 * moves the last id into the freed position ("swap with last"). Each add or remove reads and
 * writes a constant number of records (count, at most two pages, at most two member records),
 * whatever the list's length.
 *
 * <p>The order inside a list is its history of adds and removes, identical on every node, so
 * deterministic; it is not sorted. Used by {@link HsmKeeper} only. Adding a member twice or
 * removing a non-member is a broken invariant of the caller ({@link IllegalStateException}), as
 * is a stored value that does not decode.
 */
final class PagedIdIndex {
    private final KvReader reader;

    PagedIdIndex(KvReader reader) {
        this.reader = reader;
    }

    private KvStore writer() {
        if (reader instanceof KvStore store) {
            return store;
        }
        throw new IllegalStateException("read-only HSM index");
    }

    long count(String list) {
        byte[] raw = reader.get(HsmKeys.count(list));
        return raw == null ? 0 : parse(HsmListCount.parser(), raw, "list count").getCount();
    }

    /** Page {@code n} of the list: at most PAGE_SIZE ids, empty past the last page. */
    List<byte[]> page(String list, long n) {
        List<byte[]> out = new ArrayList<>();
        for (ByteString id : readPage(list, n)) {
            out.add(id.toByteArray());
        }
        return out;
    }

    /** The id's position in the list, or -1 if it is not a member. */
    long position(String list, byte[] id) {
        byte[] raw = reader.get(HsmKeys.member(list, id));
        return raw == null ? -1 : parse(HsmListEntry.parser(), raw, "list entry").getPosition();
    }

    boolean contains(String list, byte[] id) {
        return reader.get(HsmKeys.member(list, id)) != null;
    }

    void add(String list, byte[] id, long height) {
        if (contains(list, id)) {
            throw new IllegalStateException("already in " + list);
        }
        long n = count(list);
        List<ByteString> last = new ArrayList<>(readPage(list, n / HsmKeys.PAGE_SIZE));
        if (last.size() != n % HsmKeys.PAGE_SIZE) {
            throw new IllegalStateException("index " + list + " has a page out of step with its count " + n);
        }
        last.add(ByteString.copyFrom(id));
        writePage(list, n / HsmKeys.PAGE_SIZE, last);
        writeEntry(list, id, n);
        writeCount(list, n + 1, height);
    }

    void remove(String list, byte[] id, long height) {
        long pos = position(list, id);
        long n = count(list);
        if (pos < 0 || pos >= n) {
            throw new IllegalStateException("not in " + list + " (position " + pos + ", count " + n + ")");
        }
        long lastPos = n - 1;
        long lastPageNo = lastPos / HsmKeys.PAGE_SIZE;
        List<ByteString> lastPage = new ArrayList<>(readPage(list, lastPageNo));
        int lastSlot = (int) (lastPos % HsmKeys.PAGE_SIZE);
        if (lastPage.size() != lastSlot + 1) {
            throw new IllegalStateException("index " + list + " has a page out of step with its count " + n);
        }
        ByteString moved = lastPage.remove(lastSlot);
        if (pos != lastPos) {
            long pageNo = pos / HsmKeys.PAGE_SIZE;
            int slot = (int) (pos % HsmKeys.PAGE_SIZE);
            List<ByteString> page = pageNo == lastPageNo ? lastPage : new ArrayList<>(readPage(list, pageNo));
            if (!page.get(slot).equals(ByteString.copyFrom(id))) {
                throw new IllegalStateException("index " + list + " position " + pos + " holds another id");
            }
            page.set(slot, moved);
            if (pageNo != lastPageNo) {
                writePage(list, pageNo, page);
            }
            writeEntry(list, moved.toByteArray(), pos);
        }
        writePage(list, lastPageNo, lastPage);
        writer().delete(HsmKeys.member(list, id));
        writeCount(list, lastPos, height);
    }

    private List<ByteString> readPage(String list, long n) {
        byte[] raw = reader.get(HsmKeys.page(list, n));
        return raw == null ? List.of() : parse(HsmIdPage.parser(), raw, "list page").getHsmIdsList();
    }

    private void writePage(String list, long n, List<ByteString> ids) {
        if (ids.isEmpty()) {
            writer().delete(HsmKeys.page(list, n));
        } else {
            writer().put(HsmKeys.page(list, n), HsmIdPage.newBuilder().addAllHsmIds(ids).build().toByteArray());
        }
    }

    private void writeEntry(String list, byte[] id, long position) {
        writer().put(HsmKeys.member(list, id),
                HsmListEntry.newBuilder().setHsmId(ByteString.copyFrom(id)).setPosition(position).build().toByteArray());
    }

    private void writeCount(String list, long count, long height) {
        // Kept at zero rather than deleted: page_size makes the value non-empty, and a proven
        // count of 0 says the list exists and is empty.
        writer().put(HsmKeys.count(list), HsmListCount.newBuilder().setCount(count).setPageSize(HsmKeys.PAGE_SIZE)
                .setUpdatedHeight(height).build().toByteArray());
    }

    private static <T extends MessageLite> T parse(Parser<T> parser, byte[] raw, String what) {
        try {
            return parser.parseFrom(raw);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt HSM " + what, e);
        }
    }
}
