package dev.teeledger.abci.hsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teeledger.protocol.state.v1.HsmListCount;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The paged index against a plain list model that applies the same rule (append; remove by
 * moving the last id into the hole): random add/remove sequences over several lists, checked
 * after every step for exact page contents, counts, member positions, constant work per change,
 * and identical stores when the same sequence is replayed.
 */
class PagedIdIndexTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final String[] LISTS = {"by_state/1", "by_state/2", "by_manufacturer/" + "ab".repeat(32)};

    static byte[] id(int n) {
        byte[] id = new byte[32];
        id[0] = (byte) (n >>> 8);
        id[1] = (byte) n;
        id[31] = (byte) 0x5a;
        return id;
    }

    static LongStream seeds() {
        return LongStream.range(0, 40);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void randomAddsAndRemovesMatchTheModel(long seed) {
        MapKvStore store = run(seed, true);
        MapKvStore replay = run(seed, false);
        assertThat(replay.dump()).isEqualTo(store.dump());
    }

    /** Runs the seed's sequence; with {@code check} compares against the model after each step. */
    private static MapKvStore run(long seed, boolean check) {
        Random rnd = new Random(seed);
        MapKvStore store = new MapKvStore();
        PagedIdIndex index = new PagedIdIndex(store);
        List<List<String>> model = new ArrayList<>();
        for (int i = 0; i < LISTS.length; i++) {
            model.add(new ArrayList<>());
        }
        // Enough steps to fill several pages, with phases that grow and shrink the lists.
        int steps = 300 + rnd.nextInt(400);
        int universe = 250;
        for (int step = 0; step < steps; step++) {
            int l = rnd.nextInt(LISTS.length);
            List<String> m = model.get(l);
            double addBias = (step / 150) % 2 == 0 ? 0.7 : 0.35;
            int before = store.writes;
            if (m.isEmpty() || (rnd.nextDouble() < addBias && m.size() < universe)) {
                int n;
                do {
                    n = rnd.nextInt(universe);
                } while (m.contains(HEX.formatHex(id(n))));
                index.add(LISTS[l], id(n), step);
                m.add(HEX.formatHex(id(n)));
            } else {
                int pos = rnd.nextInt(m.size());
                byte[] victim = HEX.parseHex(m.get(pos));
                index.remove(LISTS[l], victim, step);
                String last = m.remove(m.size() - 1);
                if (pos < m.size()) {
                    m.set(pos, last);
                }
            }
            if (check) {
                // O(1): count, at most two pages and two member records.
                assertThat(store.writes - before).isLessThanOrEqualTo(5);
                assertMatches(index, store, LISTS[l], m, step);
            }
        }
        if (check) {
            for (int l = 0; l < LISTS.length; l++) {
                assertMatches(index, store, LISTS[l], model.get(l), -1);
            }
        }
        return store;
    }

    private static void assertMatches(PagedIdIndex index, MapKvStore store, String list, List<String> model, long height) {
        assertThat(index.count(list)).isEqualTo(model.size());
        List<String> paged = new ArrayList<>();
        long pages = (model.size() + HsmKeys.PAGE_SIZE - 1) / HsmKeys.PAGE_SIZE;
        for (long p = 0; p < pages; p++) {
            List<byte[]> page = index.page(list, p);
            assertThat(page).hasSizeBetween(1, HsmKeys.PAGE_SIZE);
            if (p < pages - 1) {
                assertThat(page).hasSize(HsmKeys.PAGE_SIZE);
            }
            page.forEach(b -> paged.add(HEX.formatHex(b)));
        }
        assertThat(index.page(list, pages)).isEmpty();
        assertThat(store.get(HsmKeys.page(list, pages))).isNull();   // no stale page past the end
        assertThat(paged).containsExactlyElementsOf(model);
        for (int i = 0; i < model.size(); i++) {
            assertThat(index.position(list, HEX.parseHex(model.get(i)))).isEqualTo(i);
        }
        if (height >= 0) {
            try {
                HsmListCount c = HsmListCount.parseFrom(store.get(HsmKeys.count(list)));
                assertThat(c.getPageSize()).isEqualTo(HsmKeys.PAGE_SIZE);
                assertThat(c.getUpdatedHeight()).isEqualTo(height);
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void membershipRecordsExistExactlyForMembersAndEveryValueIsNonEmpty() {
        MapKvStore store = new MapKvStore();
        PagedIdIndex index = new PagedIdIndex(store);
        index.add("by_state/1", id(0), 1);
        index.add("by_state/1", id(1), 1);
        index.remove("by_state/1", id(0), 2);
        assertThat(index.contains("by_state/1", id(1))).isTrue();
        assertThat(index.contains("by_state/1", id(0))).isFalse();
        assertThat(index.position("by_state/1", id(1))).isZero();
        // Position 0 and an emptied list still store non-empty values (an empty value would
        // read as absent through CometBFT's RPC).
        assertThat(store.get(HsmKeys.member("by_state/1", id(1)))).isNotEmpty();
        index.remove("by_state/1", id(1), 3);
        assertThat(index.count("by_state/1")).isZero();
        assertThat(store.get(HsmKeys.count("by_state/1"))).isNotEmpty();
        assertThat(store.get(HsmKeys.page("by_state/1", 0))).isNull();
        store.map.values().forEach(v -> assertThat(v).isNotEmpty());
    }

    @Test
    void addingAMemberTwiceOrRemovingANonMemberIsABrokenInvariant() {
        MapKvStore store = new MapKvStore();
        PagedIdIndex index = new PagedIdIndex(store);
        index.add("by_state/1", id(7), 1);
        String before = store.dump();
        assertThatThrownBy(() -> index.add("by_state/1", id(7), 2)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> index.remove("by_state/1", id(8), 2)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> index.remove("by_state/2", id(7), 2)).isInstanceOf(IllegalStateException.class);
        assertThat(store.dump()).isEqualTo(before);
    }
}
