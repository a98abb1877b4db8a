package dev.teeledger.indexer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** The records of one height's transaction, without a broker. */
class KafkaBlockSinkTest {

    @Test
    void oneHeightIsTxsThenEventsThenBlockMarkerThenCheckpointWithHeaders() throws Exception {
        IndexerTopics topics = IndexerTopics.withPrefix("x.");
        Properties p = new Properties();
        p.put("bootstrap.servers", "127.0.0.1:1");
        KafkaBlockSink sink = new KafkaBlockSink(p, topics, "ix-1", Duration.ofSeconds(1));
        IndexedBlock block = Blocks.simple(9);
        List<ProducerRecord<String, byte[]>> records = sink.records(block);

        assertThat(records).extracting(ProducerRecord::topic).containsExactly(
                "x.txs", "x.governance", "x.credit", "x.blocks", "x.indexer-checkpoints");
        assertThat(records).extracting(ProducerRecord::key).containsExactly(
                block.txs().get(0).txHash(), "param:p9", "credit:supply", Blocks.CHAIN, "ix-1");
        assertThat(header(records.get(1), KafkaBlockSink.HEADER_ID)).isEqualTo("9/0/0");
        assertThat(header(records.get(2), KafkaBlockSink.HEADER_ID)).isEqualTo("9/b/0");
        assertThat(header(records.get(2), KafkaBlockSink.HEADER_TYPE)).isEqualTo("credit.normalized");
        assertThat(records.get(0).headers().lastHeader(KafkaBlockSink.HEADER_ID)).isNull();
        assertThat(header(records.get(4), KafkaBlockSink.HEADER_SCHEMA)).isEqualTo("1");
        assertThat(RecordCodec.decodeCheckpoint(records.get(4).value()))
                .isEqualTo(new Checkpoint(Blocks.CHAIN, 9, block.block().blockHash()));
        assertThat(sink.transactionalId()).isEqualTo("teeledger-indexer-ix-1");
    }

    private static String header(ProducerRecord<String, byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
