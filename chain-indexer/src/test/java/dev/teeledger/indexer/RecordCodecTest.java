package dev.teeledger.indexer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RecordCodecTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void eventsTxsBlocksAndCheckpointsRoundTrip() throws Exception {
        IndexedBlock b = Blocks.simple(6);
        for (ChainEvent e : b.events()) {
            assertThat(RecordCodec.decodeEvent(RecordCodec.encode(e))).isEqualTo(e);
        }
        assertThat(RecordCodec.decodeTx(RecordCodec.encode(b.txs().get(0)))).isEqualTo(b.txs().get(0));
        assertThat(RecordCodec.decodeBlock(RecordCodec.encode(b.block()))).isEqualTo(b.block());
        Checkpoint c = new Checkpoint("c", 6, "AB");
        assertThat(RecordCodec.decodeCheckpoint(RecordCodec.encode(c))).isEqualTo(c);
    }

    @Test
    void eventJsonHasTheDocumentedFields() throws Exception {
        IndexedBlock b = Blocks.simple(6);
        JsonNode tx = JSON.readTree(RecordCodec.encode(b.events().get(0)));
        assertThat(tx.get("schema").intValue()).isEqualTo(1);
        assertThat(tx.get("id").textValue()).isEqualTo("6/0/0");
        assertThat(tx.get("source").textValue()).isEqualTo("tx");
        assertThat(tx.get("tx_index").intValue()).isZero();
        assertThat(tx.get("type").textValue()).isEqualTo("gov.param_changed");
        assertThat(tx.get("key").textValue()).isEqualTo("param:p6");
        assertThat(tx.get("attributes").get(0).get("key").textValue()).isEqualTo("name");
        JsonNode block = JSON.readTree(RecordCodec.encode(b.events().get(1)));
        assertThat(block.get("id").textValue()).isEqualTo("6/b/0");
        assertThat(block.get("source").textValue()).isEqualTo("block");
        assertThat(block.get("tx_index").isNull()).isTrue();
        assertThat(block.get("tx_hash").isNull()).isTrue();
    }

    @Test
    void toleratesUnknownExtraFields() throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode n =
                (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(RecordCodec.encode(Blocks.simple(2).block()));
        n.put("added_later", 1);
        assertThat(RecordCodec.decodeBlock(JSON.writeValueAsBytes(n)).height()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "not json", "[]", "{}", "{\"schema\":2}",
        "{\"schema\":1,\"id\":\"5/0/0\",\"height\":6,\"chain_id\":\"c\",\"block_time\":\"2027-01-01T00:00:00Z\",\"tx_hash\":\"A\",\"type\":\"t\",\"key\":\"k\",\"attributes\":[]}",
        "{\"schema\":1,\"id\":\"5/x/0\",\"height\":5,\"chain_id\":\"c\",\"block_time\":\"2027-01-01T00:00:00Z\",\"tx_hash\":\"A\",\"type\":\"t\",\"key\":\"k\",\"attributes\":[]}",
        "{\"schema\":1,\"id\":\"5/0/0\",\"height\":5,\"chain_id\":\"c\",\"block_time\":\"yesterday\",\"tx_hash\":\"A\",\"type\":\"t\",\"key\":\"k\",\"attributes\":[]}",
        "{\"schema\":1,\"id\":\"5/0/0\",\"height\":5,\"chain_id\":\"c\",\"block_time\":\"2027-01-01T00:00:00Z\",\"tx_hash\":\"A\",\"type\":\"t\",\"key\":\"k\",\"attributes\":{}}",
        "{\"schema\":1,\"id\":\"5/0/0\",\"height\":5,\"chain_id\":\"c\",\"block_time\":\"2027-01-01T00:00:00Z\",\"type\":\"t\",\"key\":\"k\",\"attributes\":[]}",
        "{\"schema\":1,\"id\":\"5/0/0\",\"height\":5,\"chain_id\":\"c\",\"block_time\":\"2027-01-01T00:00:00Z\",\"tx_hash\":\"A\",\"type\":\"t\",\"key\":\"k\",\"attributes\":[{\"key\":\"a\"}]}",
    })
    void rejectsMalformedEventRecordsWithATypedError(String json) {
        assertThatThrownBy(() -> RecordCodec.decodeEvent(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(RecordFormatException.class);
    }

    @Test
    void eventIdsParseAndOrderAsPublished() throws Exception {
        assertThat(EventId.parse("12/b/3")).isEqualTo(new EventId(12, EventId.BLOCK, 3));
        assertThat(EventId.parse("12/0/3").toString()).isEqualTo("12/0/3");
        assertThat(new EventId(12, 5, 0)).isLessThan(new EventId(12, EventId.BLOCK, 0));
        assertThat(new EventId(12, EventId.BLOCK, 9)).isLessThan(new EventId(13, 0, 0));
        for (String bad : new String[] {"12/-1/0", "0/0/0", "1/0", "a/0/0", "1/0/-1", "1/0/0/0"}) {
            assertThatThrownBy(() -> EventId.parse(bad)).as(bad).isInstanceOf(RecordFormatException.class);
        }
    }
}
