package dev.teeledger.abci.state;

import static dev.teeledger.abci.state.MerkleStoreTest.b;
import static dev.teeledger.abci.state.MerkleStoreTest.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkingSetTest {

    @TempDir
    Path dir;

    private MerkleStore store;

    @BeforeEach
    void open() throws Exception {
        store = MerkleStore.open(dir, StoreConfig.defaults());
        WorkingSet ws = store.newWorkingSet();
        ws.put(b("a"), b("committed-a"));
        ws.put(b("b"), b("committed-b"));
        store.commit(ws, 1, null);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void branchSeesParentAndCommittedStateButParentDoesNotSeeBranch() {
        WorkingSet block = store.newWorkingSet();
        block.put(b("c"), b("block-c"));
        WorkingSet tx = block.branch();
        assertThat(s(tx.get(b("a")))).isEqualTo("committed-a");
        assertThat(s(tx.get(b("c")))).isEqualTo("block-c");
        tx.put(b("d"), b("tx-d"));
        tx.delete(b("a"));
        assertThat(tx.get(b("a"))).isNull();
        assertThat(block.get(b("d"))).isNull();
        assertThat(s(block.get(b("a")))).isEqualTo("committed-a");
    }

    @Test
    void mergeAppliesAllChangesOfTheBranch() throws Exception {
        WorkingSet block = store.newWorkingSet();
        WorkingSet tx = block.branch();
        tx.put(b("d"), b("tx-d"));
        tx.delete(b("a"));
        byte[] branchRoot = tx.rootHash();
        tx.mergeIntoParent();
        assertThat(s(block.get(b("d")))).isEqualTo("tx-d");
        assertThat(block.get(b("a"))).isNull();
        assertThat(block.rootHash()).isEqualTo(branchRoot);
        assertThatThrownBy(() -> tx.get(b("d"))).isInstanceOf(IllegalStateException.class);
        store.commit(block, 2, null);
        assertThat(store.latest().get(b("a"))).isNull();
        assertThat(store.lastRootHash()).isEqualTo(branchRoot);
    }

    @Test
    void droppedBranchChangesNothing() throws Exception {
        WorkingSet block = store.newWorkingSet();
        byte[] before = block.rootHash();
        WorkingSet tx = block.branch();
        tx.put(b("x"), b("failed tx write"));
        tx.delete(b("b"));
        assertThat(tx.rootHash()).isNotEqualTo(before);
        // The transaction failed: the branch is simply not merged.
        assertThat(block.isEmpty()).isTrue();
        assertThat(block.rootHash()).isEqualTo(before);
        store.commit(block, 2, null);
        assertThat(store.lastRootHash()).isEqualTo(before);
        assertThat(s(store.latest().get(b("b")))).isEqualTo("committed-b");
    }

    @Test
    void nestedBranchesMergeStepByStep() {
        WorkingSet block = store.newWorkingSet();
        WorkingSet tx = block.branch();
        WorkingSet call = tx.branch();
        call.put(b("n"), b("nested"));
        call.mergeIntoParent();
        assertThat(block.get(b("n"))).isNull();
        assertThat(s(tx.get(b("n")))).isEqualTo("nested");
        tx.mergeIntoParent();
        assertThat(s(block.get(b("n")))).isEqualTo("nested");
    }

    @Test
    void scanMergesBranchParentAndCommittedInOrder() {
        WorkingSet block = store.newWorkingSet();
        block.put(b("c"), b("block-c"));
        block.delete(b("b"));
        WorkingSet tx = block.branch();
        tx.put(b("b"), b("tx-b"));
        tx.put(b("aa"), b("tx-aa"));
        tx.delete(b("c"));
        List<String> seen = new ArrayList<>();
        tx.scan(new byte[0], (k, v) -> seen.add(s(k) + "=" + s(v)));
        assertThat(seen).containsExactly("a=committed-a", "aa=tx-aa", "b=tx-b");
        List<String> blockSeen = new ArrayList<>();
        block.scan(new byte[0], (k, v) -> blockSeen.add(s(k) + "=" + s(v)));
        assertThat(blockSeen).containsExactly("a=committed-a", "c=block-c");
    }

    @Test
    void visitorMayWriteDuringScan() {
        WorkingSet block = store.newWorkingSet();
        block.scan(new byte[0], (k, v) -> block.put(b("copy-" + s(k)), v));
        assertThat(s(block.get(b("copy-a")))).isEqualTo("committed-a");
        assertThat(s(block.get(b("copy-b")))).isEqualTo("committed-b");
    }

    @Test
    void rootHashReflectsStagedChangesAndIsCachedUntilNextWrite() {
        WorkingSet block = store.newWorkingSet();
        byte[] r0 = block.rootHash();
        assertThat(r0).isEqualTo(store.lastRootHash());
        block.put(b("z"), b("1"));
        byte[] r1 = block.rootHash();
        assertThat(r1).isNotEqualTo(r0).isEqualTo(block.rootHash());
        block.delete(b("z"));
        assertThat(block.rootHash()).isEqualTo(r0);
        assertThat(block.isEmpty()).isFalse();
    }

    @Test
    void mergingATopLevelSetIsRejected() {
        WorkingSet block = store.newWorkingSet();
        assertThatThrownBy(block::mergeIntoParent).isInstanceOf(IllegalStateException.class);
    }
}
