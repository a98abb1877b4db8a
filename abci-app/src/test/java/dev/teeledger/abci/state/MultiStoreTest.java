package dev.teeledger.abci.state;

import static dev.teeledger.abci.state.MerkleStoreTest.b;
import static dev.teeledger.abci.state.MerkleStoreTest.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teeledger.protocol.merkle.ProofException;
import dev.teeledger.protocol.merkle.SmtProof;
import dev.teeledger.protocol.merkle.StateProof;
import dev.teeledger.protocol.merkle.SubStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sub-store split of ADR 0010: routing, roots, proofs through the right sub-store, format. */
class MultiStoreTest {

    @TempDir
    Path dir;

    private static TreeMap<byte[], byte[]> sample() {
        TreeMap<byte[], byte[]> kv = new TreeMap<>(Arrays::compareUnsigned);
        kv.put(b("credit/index"), b("i"));
        kv.put(b("credit/supply"), b("s"));
        kv.put(b("credit/report/r1"), b("receipt"));
        kv.put(b("gov/keys"), b("k"));
        kv.put(b("other"), b("o"));
        for (int i = 0; i < 300; i++) {
            kv.put(b("credit/acct/" + i), b("shares" + i));
        }
        return kv;
    }

    @Test
    void appHashIsTheTopLevelRootOverEverySubStore() throws Exception {
        TreeMap<byte[], byte[]> kv = sample();
        try (MerkleStore store = MerkleStore.open(dir, StoreConfig.defaults())) {
            WorkingSet ws = store.newWorkingSet();
            kv.forEach(ws::put);
            store.commit(ws, 1, null);
            assertThat(store.lastRootHash()).isEqualTo(ReferenceRoot.of(kv));
            for (SubStore sub : SubStore.values()) {
                TreeMap<byte[], byte[]> mine = new TreeMap<>(Arrays::compareUnsigned);
                kv.forEach((k, v) -> {
                    if (SubStore.of(k) == sub) {
                        mine.put(k, v);
                    }
                });
                // Every sub-store, empty ones included, is listed with its root.
                byte[] key = mine.isEmpty() ? prefixedKey(sub) : mine.firstKey();
                ProvenValue some = store.prove(key, 1);
                assertThat(some.proof().store()).isEqualTo(sub);
                assertThat(some.value()).isEqualTo(mine.get(key));
                assertThat(some.proof().keyProof().computeRoot(key, some.value()))
                        .isEqualTo(ReferenceRoot.flatRoot(mine));
                some.verify(store.lastRootHash(), key);
            }
        }
    }

    private static byte[] prefixedKey(SubStore s) {
        return s == SubStore.DEFAULT ? b("nothing-here") : concat(s.prefixes().get(0), b("none"));
    }

    private static byte[] concat(byte[] a, byte[] c) {
        byte[] out = Arrays.copyOf(a, a.length + c.length);
        System.arraycopy(c, 0, out, a.length, c.length);
        return out;
    }

    @Test
    void writingGlobalCreditRecordsLeavesTheAccountTreeUntouched() throws Exception {
        try (MerkleStore store = MerkleStore.open(dir, StoreConfig.defaults())) {
            WorkingSet ws = store.newWorkingSet();
            sample().forEach(ws::put);
            store.commit(ws, 1, null);
            long accountNodes = NodeCounter.count(store, SubStore.CREDIT_ACCOUNTS.code());
            long creditNodes = NodeCounter.count(store, SubStore.CREDIT.code());
            WorkingSet next = store.newWorkingSet();
            next.put(b("credit/index"), b("i2"));
            next.put(b("credit/supply"), b("s2"));
            next.put(b("credit/last_normalization"), b("n"));
            store.commit(next, 2, null);
            assertThat(NodeCounter.count(store, SubStore.CREDIT_ACCOUNTS.code()))
                    .isEqualTo(accountNodes);
            // Three leaves and the few inner nodes above them, whatever the number of accounts.
            assertThat(NodeCounter.count(store, SubStore.CREDIT.code()) - creditNodes)
                    .isBetween(3L, 8L);
        }
    }

    @Test
    void proofThroughAnotherSubStoreIsRefused() throws Exception {
        try (MerkleStore store = MerkleStore.open(dir, StoreConfig.defaults())) {
            WorkingSet ws = store.newWorkingSet();
            sample().forEach(ws::put);
            store.commit(ws, 1, null);
            byte[] account = b("credit/acct/7");
            ProvenValue real = store.prove(account, 1);
            ProvenValue gov = store.prove(b("gov/acct/7"), 1);
            // The gov tree holds one leaf, so its proof of "gov/acct/7" being absent (the other
            // leaf at depth 0) shows any other key absent from gov too: both steps are valid
            // and end at the real app hash. Only routing the key to its sub-store stops it.
            SmtProof absentFromGov = gov.proof().keyProof();
            assertThat(absentFromGov.terminal()).isEqualTo(SmtProof.Terminal.OTHER_LEAF);
            assertThat(gov.proof().storeProof().computeRoot(SubStore.GOV.nameBytes(),
                    absentFromGov.computeRoot(account, null))).isEqualTo(store.lastRootHash());
            StateProof forged = new StateProof(SubStore.GOV, absentFromGov, gov.proof().storeProof());
            assertThatThrownBy(() -> forged.verify(store.lastRootHash(), account, null))
                    .isInstanceOf(ProofException.class)
                    .extracting(e -> ((ProofException) e).reason())
                    .isEqualTo(ProofException.Reason.KEY_MISMATCH);
            real.verify(store.lastRootHash(), account);
            assertThat(StateProof.keyPath(account)).containsExactly(account, b("credit.acct"));
        }
    }

    @Test
    void scanOfAnOldVersionMergesSubStoresInKeyOrder() throws Exception {
        try (MerkleStore store = MerkleStore.open(dir, StoreConfig.defaults())) {
            WorkingSet ws = store.newWorkingSet();
            sample().forEach(ws::put);
            store.commit(ws, 1, null);
            WorkingSet next = store.newWorkingSet();
            next.put(b("credit/index"), b("i2"));
            store.commit(next, 2, null);
            List<String> seen = new ArrayList<>();
            store.readerAt(1).scan(b("credit/"), (k, v) -> seen.add(s(k)));
            List<String> latest = new ArrayList<>();
            store.latest().scan(b("credit/"), (k, v) -> latest.add(s(k)));
            assertThat(seen).hasSize(303).isEqualTo(latest);
            assertThat(s(store.readerAt(1).get(b("credit/index")))).isEqualTo("i");
            assertThat(s(store.readerAt(2).get(b("credit/index")))).isEqualTo("i2");
        }
    }

    @Test
    void rootsRecordOfAnotherLayoutIsRefused() throws Exception {
        byte[] record = NodeCodec.encodeRoots(RootSet.empty(), 1);
        assertThat(NodeCodec.decodeRoots(record).top()).isEqualTo(Node.Empty.INSTANCE);
        byte[] fewer = record.clone();
        fewer[1] = (byte) (SubStore.values().length - 1);
        assertThatThrownBy(() -> NodeCodec.decodeRoots(fewer)).isInstanceOf(StoreException.class)
                .hasMessageContaining("layout changed");
        byte[] renumbered = record.clone();
        renumbered[2] = (byte) 0x7F;
        assertThatThrownBy(() -> NodeCodec.decodeRoots(renumbered))
                .isInstanceOf(StoreException.class).hasMessageContaining("layout changed");
    }
}
