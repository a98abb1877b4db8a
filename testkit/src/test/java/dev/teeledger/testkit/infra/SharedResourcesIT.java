package dev.teeledger.testkit.infra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teeledger.testkit.kafka.InJvmKafkaBroker;
import dev.teeledger.testkit.kafka.KafkaTestResource;
import dev.teeledger.testkit.postgres.EmbeddedPostgresServer;
import dev.teeledger.testkit.postgres.PostgresTestResource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared test resources themselves: real PostgreSQL 17.6 and a real in-JVM Kafka broker. */
class SharedResourcesIT {

    @Test
    void embeddedPostgresIsVersion17AndKeepsDataAndPortAcrossARestart(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("pg");
        Files.createDirectories(data);
        int port = dev.teeledger.testkit.cometbft.Ports.free();
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data, port)) {
            assertThat(pg.port()).isEqualTo(port);
            pg.createDatabase("registry");
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl("registry"), EmbeddedPostgresServer.USER,
                    EmbeddedPostgresServer.PASSWORD); Statement s = c.createStatement()) {
                ResultSet v = s.executeQuery("SHOW server_version");
                v.next();
                assertThat(v.getString(1)).startsWith("17.6");
                s.execute("CREATE TABLE t (x int)");
                s.execute("INSERT INTO t VALUES (42)");
            }
            assertThat(pg.reactiveUrl("registry")).isEqualTo("postgresql://127.0.0.1:" + pg.port() + "/registry");
        }
        try (EmbeddedPostgresServer again = EmbeddedPostgresServer.start(data, port);
                Connection c = DriverManager.getConnection(again.jdbcUrl("registry"), EmbeddedPostgresServer.USER,
                        EmbeddedPostgresServer.PASSWORD);
                Statement s = c.createStatement()) {
            ResultSet r = s.executeQuery("SELECT x FROM t");
            assertThat(r.next()).isTrue();
            assertThat(r.getInt(1)).isEqualTo(42);
        }
    }

    @Test
    void postgresTestResourceHandsQuarkusItsDatasource() throws Exception {
        PostgresTestResource resource = new PostgresTestResource();
        resource.init(Map.of("database", "credit"));
        try {
            Map<String, String> config = resource.start();
            assertThat(config.get("quarkus.datasource.reactive.url")).matches("postgresql://127\\.0\\.0\\.1:\\d+/credit");
            try (Connection c = DriverManager.getConnection(config.get("quarkus.datasource.jdbc.url"),
                    config.get("quarkus.datasource.username"), config.get("quarkus.datasource.password"))) {
                assertThat(c.isValid(5)).isTrue();
            }
        } finally {
            resource.stop();
        }
    }

    @Test
    void inJvmKafkaCarriesTransactionalRecordsToAReadCommittedConsumer() {
        KafkaTestResource resource = new KafkaTestResource();
        resource.init(Map.of("topics", "a, b", "partitions", "2"));
        try {
            String bootstrap = resource.start().get("kafka.bootstrap.servers");
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "fixture-test");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("a", "k", "aborted"));
                producer.abortTransaction();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("a", "k", "committed"));
                producer.commitTransaction();
            }
            Properties cp = new Properties();
            cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            cp.put(ConsumerConfig.GROUP_ID_CONFIG, "fixture-test");
            cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("a"));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                String seen = null;
                while (seen == null && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        seen = r.value();
                    }
                }
                assertThat(seen).as("a consumer group gets partitions and sees only the committed record").isEqualTo("committed");
            }
        } finally {
            resource.stop();
        }
    }

    @Test
    void brokerCreatesTopicsAndKeepsThemAndTheirRecordsAcrossARestart() throws Exception {
        try (InJvmKafkaBroker kafka = InJvmKafkaBroker.start()) {
            kafka.createTopics(3, List.of("x", "y"));
            assertThat(kafka.topics()).contains("x", "y");
            Properties p = kafka.clientProperties();
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("x", 0, "k", "before")).get();
                String bootstrap = kafka.bootstrapServers();
                kafka.restartBroker(Duration.ofMillis(500));
                assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
                producer.send(new ProducerRecord<>("x", 0, "k", "after")).get();
            }
            Properties cp = kafka.clientProperties();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
                org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition("x", 0);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                List<String> seen = new java.util.ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (seen.size() < 2 && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.value()));
                }
                assertThat(seen).containsExactly("before", "after");
            }
        }
    }
}
