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
class TestInfrastructureIT {

    @Test
    void embeddedPostgresIsVersion17AndKeepsDataAcrossARestartOnAGivenDirectory(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("pg");
        Files.createDirectories(data);
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data)) {
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
        try (EmbeddedPostgresServer again = EmbeddedPostgresServer.start(data);
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
    void brokerCreatesAndListsTopics() {
        try (InJvmKafkaBroker kafka = InJvmKafkaBroker.start()) {
            kafka.createTopics(3, List.of("x", "y"));
            assertThat(kafka.topics()).contains("x", "y");
        }
    }
}
