package dev.teeledger.indexer;

import static dev.teeledger.indexer.Blocks.CHAIN;
import static dev.teeledger.indexer.Blocks.block;
import static dev.teeledger.indexer.Blocks.event;
import static dev.teeledger.indexer.Blocks.results;
import static dev.teeledger.indexer.Blocks.tx;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlockMapperTest {

    @Test
    void mapsTxAndBlockEventsWithStablePositionsAndEntityKeys() throws Exception {
        IndexedBlock b = BlockMapper.map(CHAIN, block(7, CHAIN, 3), results(7, List.of(
                tx(0, event("manufacturer.added", "manufacturer_id", "m1", "name", "Acme", "subject", "CN=Acme")),
                tx(205, event("manufacturer.added", "manufacturer_id", "m2")),
                tx(0, event("hsm.joined", "hsm_id", "h1", "manufacturer_id", "m1", "state", "PENDING", "endpoint", "x"),
                        event("attestation.round_opened", "round", "17", "testee", "h1"))),
                event("firmware.expired", "sha256", "ab", "height", "7"),
                event("hsm.firmware_expiry_done", "sha256", "ab", "ended_height", "7", "height", "7")));

        assertThat(b.events()).extracting(e -> e.id().toString(), ChainEvent::type, ChainEvent::key).containsExactly(
                org.assertj.core.groups.Tuple.tuple("7/0/0", "manufacturer.added", "manufacturer:m1"),
                org.assertj.core.groups.Tuple.tuple("7/2/0", "hsm.joined", "hsm:h1"),
                org.assertj.core.groups.Tuple.tuple("7/2/1", "attestation.round_opened", "round:17"),
                org.assertj.core.groups.Tuple.tuple("7/b/0", "firmware.expired", "firmware:ab"),
                org.assertj.core.groups.Tuple.tuple("7/b/1", "hsm.firmware_expiry_done", "firmware:ab"));
        assertThat(b.events()).isSortedAccordingTo(java.util.Comparator.comparing(ChainEvent::id));
        assertThat(b.events().get(0).attributes()).containsExactly(new ChainEvent.Attribute("manufacturer_id", "m1"),
                new ChainEvent.Attribute("name", "Acme"), new ChainEvent.Attribute("subject", "CN=Acme"));
        assertThat(b.events().get(3).txHash()).isNull();
        assertThat(b.events().get(0).blockTime()).isEqualTo(Instant.ofEpochSecond(1_800_000_007L, 5));
    }

    @Test
    void failedTransactionGetsATxRecordButNoEvents() throws Exception {
        IndexedBlock b = BlockMapper.map(CHAIN, block(7, CHAIN, 2), results(7, List.of(
                tx(0, event("gov.param_changed", "name", "a", "old", "1", "new", "2")),
                tx(205, event("manufacturer.added", "manufacturer_id", "m2")))));
        assertThat(b.txs()).extracting(TxRecord::txIndex, TxRecord::code, TxRecord::eventCount)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0, 0, 1), org.assertj.core.groups.Tuple.tuple(1, 205, 1));
        assertThat(b.events()).extracting(ChainEvent::type).containsExactly("gov.param_changed");
        assertThat(b.block().failedTxCount()).isEqualTo(1);
        assertThat(b.block().eventCount()).isEqualTo(1);
        assertThat(b.block().txCount()).isEqualTo(2);
    }

    @Test
    void txHashIsUpperHexSha256OfTheTxBytesAsCometBftComputesIt() throws Exception {
        IndexedBlock b = BlockMapper.map(CHAIN, block(3, CHAIN, 1), results(3, List.of(tx(0))));
        byte[] expected = MessageDigest.getInstance("SHA-256").digest("tx-3-0".getBytes(StandardCharsets.UTF_8));
        assertThat(b.txs().get(0).txHash()).isEqualTo(HexFormat.of().withUpperCase().formatHex(expected));
        assertThat(b.block().blockHash()).startsWith("0300");
    }

    @Test
    void unknownEventTypesArePublishedWithAGenericKey() throws Exception {
        IndexedBlock b = BlockMapper.map(CHAIN, block(4, CHAIN, 1), results(4, List.of(
                tx(0, event("attestation.vote", "round", "9", "verifier", "h2"), event("newmodule.thing", "x", "1"),
                        event("newmodule.other", "hsm_id", "h9")))));
        assertThat(b.events()).extracting(ChainEvent::key).containsExactly("round:9", "type:newmodule.thing", "hsm:h9");
    }

    @Test
    void emptyBlockHasOnlyItsMarker() throws Exception {
        IndexedBlock b = BlockMapper.map(CHAIN, block(5, CHAIN, 0), results(5, List.of()));
        assertThat(b.txs()).isEmpty();
        assertThat(b.events()).isEmpty();
        assertThat(b.height()).isEqualTo(5);
    }

    @Test
    void rejectsAnswersThatDisagree() {
        assertThatThrownBy(() -> BlockMapper.map(CHAIN, block(5, CHAIN, 0), results(6, List.of())))
                .isInstanceOf(IndexerException.class).hasMessageContaining("block_results is height 6");
        assertThatThrownBy(() -> BlockMapper.map(CHAIN, block(5, CHAIN, 1), results(5, List.of())))
                .isInstanceOf(IndexerException.class).hasMessageContaining("1 txs but 0 tx results");
        assertThatThrownBy(() -> BlockMapper.map(CHAIN, block(5, "other", 0), results(5, List.of())))
                .isInstanceOf(IndexerException.class).hasMessageContaining("from chain 'other'");
    }
}
