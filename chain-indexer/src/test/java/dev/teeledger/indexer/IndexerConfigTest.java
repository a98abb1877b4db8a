package dev.teeledger.indexer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IndexerConfigTest {

    @Test
    void defaultsSuitALocalNodeAndBroker() throws Exception {
        IndexerConfig c = IndexerConfig.from(Map.of());
        assertThat(c.rpcUrl()).isEqualTo(URI.create("http://127.0.0.1:26657"));
        assertThat(c.websocketUrl()).isEqualTo(URI.create("ws://127.0.0.1:26657/websocket"));
        assertThat(c.kafkaClient().getProperty("bootstrap.servers")).isEqualTo("127.0.0.1:9092");
        assertThat(c.indexerId()).isEqualTo("main");
        assertThat(c.topics().registry()).isEqualTo("teeledger.registry");
        assertThat(c.topics().checkpoints()).isEqualTo("teeledger.indexer-checkpoints");
        assertThat(c.createTopics()).isTrue();
        assertThat(c.topicPartitions()).isEqualTo(3);
        assertThat(c.settings()).isEqualTo(ChainIndexer.Settings.defaults());
    }

    @Test
    void readsEveryPropertyAndPassesClientSettingsThrough() throws Exception {
        IndexerConfig c = IndexerConfig.from(Map.ofEntries(
                Map.entry("teeledger.indexer.rpc-url", "https://node.example:443/rpc/"),
                Map.entry("teeledger.indexer.kafka.bootstrap-servers", "k1:9092,k2:9092"),
                Map.entry("teeledger.indexer.kafka.client.security.protocol", "SSL"),
                Map.entry("teeledger.indexer.id", "eu-1"),
                Map.entry("teeledger.indexer.topic-prefix", "dev."),
                Map.entry("teeledger.indexer.create-topics", "false"),
                Map.entry("teeledger.indexer.topic-partitions", "6"),
                Map.entry("teeledger.indexer.topic-replication", "3"),
                Map.entry("teeledger.indexer.start-height", "100"),
                Map.entry("teeledger.indexer.poll-interval", "PT5S"),
                Map.entry("teeledger.indexer.min-backoff", "PT0.2S"),
                Map.entry("teeledger.indexer.max-backoff", "PT30S")));
        assertThat(c.websocketUrl()).isEqualTo(URI.create("wss://node.example:443/rpc/websocket"));
        assertThat(c.kafkaClient()).containsEntry("security.protocol", "SSL").containsEntry("bootstrap.servers", "k1:9092,k2:9092");
        assertThat(c.topics().credit()).isEqualTo("dev.credit");
        assertThat(c.createTopics()).isFalse();
        assertThat(c.topicReplication()).isEqualTo((short) 3);
        assertThat(c.settings()).isEqualTo(new ChainIndexer.Settings(100, Duration.ofSeconds(5), Duration.ofMillis(200), Duration.ofSeconds(30)));
    }

    @Test
    void mainRefusesBadArgumentsAndAnUnreadableConfigFile() {
        assertThatThrownBy(() -> IndexerMain.run(new String[] {"--verbose"}))
                .isInstanceOf(IndexerException.class).hasMessageContaining("usage");
        assertThatThrownBy(() -> IndexerMain.run(new String[] {"--config", "/nonexistent/indexer.properties"}))
                .isInstanceOf(IndexerException.class).hasMessageContaining("cannot read config");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "teeledger.indexer.rpc-url | not a url",
        "teeledger.indexer.rpc-url | /relative",
        "teeledger.indexer.id | has space",
        "teeledger.indexer.topic-prefix | bad/prefix",
        "teeledger.indexer.create-topics | yes",
        "teeledger.indexer.topic-partitions | 0",
        "teeledger.indexer.topic-partitions | 10001",
        "teeledger.indexer.topic-replication | 40000",
        "teeledger.indexer.start-height | -1",
        "teeledger.indexer.poll-interval | 2s",
        "teeledger.indexer.min-backoff | PT0S",
        "teeledger.indexer.rpc-urll | http://x",
    })
    void rejectsABadPropertyNamingIt(String key, String value) {
        assertThatThrownBy(() -> IndexerConfig.from(Map.of(key, value)))
                .isInstanceOf(IndexerException.class).hasMessageContaining(key.substring(0, key.length() - 1));
    }
}
