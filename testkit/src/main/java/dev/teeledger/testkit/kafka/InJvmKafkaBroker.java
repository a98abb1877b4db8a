package dev.teeledger.testkit.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Kafka 4.1.2 broker in the test JVM: one combined broker+controller node in KRaft mode
 * ({@code kafka-test-common-runtime}'s {@code KafkaClusterTestKit}), listening on a free
 * loopback port, data in a temporary directory removed on {@link #close()}. Starts in a few
 * seconds. JUnit tests call {@link #start()} / {@link #close()}; Quarkus tests use
 * {@link KafkaTestResource}.
 *
 * <p>Single-node settings are applied so that consumer groups and transactions work: the
 * offsets and transaction-state topics get replication factor 1 and min ISR 1 (without them a
 * consumer group never gets partitions and {@code initTransactions} times out), and the first
 * group rebalance is not delayed. A 2 s broker session timeout lets a {@linkplain
 * #restartBroker restarted} broker re-register after ~1.5 s instead of waiting out the default
 * 9 s for its old registration to expire. Topics should be {@linkplain #createTopics pre-created}: with
 * auto-creation, partitions exist only after the first send and consumers on {@code latest}
 * miss early records. Not thread-safe for start/stop; client use is.
 */
public final class InJvmKafkaBroker implements AutoCloseable {
    private final KafkaClusterTestKit cluster;

    private InJvmKafkaBroker(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /** Formats and starts a one-node cluster and waits until the broker is ready. */
    public static InJvmKafkaBroker start() {
        KafkaClusterTestKit cluster = null;
        try {
            cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                            .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("transaction.state.log.num.partitions", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("auto.create.topics.enable", "false")
                    .setConfigProp("broker.session.timeout.ms", "2000")
                    .setConfigProp("broker.heartbeat.interval.ms", "500")
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new InJvmKafkaBroker(cluster);
        } catch (Exception e) {
            if (cluster != null) {
                try {
                    cluster.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("in-JVM Kafka broker did not start", e);
        }
    }

    /** {@code bootstrap.servers} for clients, e.g. {@code 127.0.0.1:40123}. */
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** Client properties with {@code bootstrap.servers} set; callers add serializers etc. */
    public Properties clientProperties() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return p;
    }

    /** Creates topics with replication factor 1 and the given partition count, and waits. */
    public void createTopics(int partitions, Collection<String> names) {
        List<NewTopic> topics = new ArrayList<>();
        for (String n : names) {
            topics.add(new NewTopic(n, partitions, (short) 1));
        }
        createTopics(topics);
    }

    /** Creates the given topics (with their own partitions and configs) and waits. */
    public void createTopics(Collection<NewTopic> topics) {
        try (Admin admin = Admin.create(clientProperties())) {
            admin.createTopics(topics).all().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create topics " + topics + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    /** Names of all non-internal topics. */
    public Set<String> topics() {
        try (Admin admin = Admin.create(clientProperties())) {
            return admin.listTopics().names().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list topics: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing topics", e);
        }
    }

    /** Config for a compacted topic (e.g. a checkpoint topic), for {@link NewTopic#configs}. */
    public static Map<String, String> compacted() {
        return Map.of("cleanup.policy", "compact");
    }

    /**
     * Stops the broker (the KRaft controller keeps running) and starts it again on the same
     * data and port, for "Kafka restarted" fault tests. Clients see connection errors in
     * between and reconnect to the same {@link #bootstrapServers()}.
     *
     * @param downtime how long the broker stays down
     */
    public void restartBroker(java.time.Duration downtime) {
        kafka.server.BrokerServer broker = cluster.brokers().values().iterator().next();
        String before = bootstrapServers();
        try {
            broker.shutdown();
            broker.awaitShutdown();
            Thread.sleep(downtime.toMillis());
            broker.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("in-JVM Kafka broker did not restart", e);
        }
        if (!before.equals(bootstrapServers())) {
            throw new IllegalStateException("broker came back on " + bootstrapServers() + " instead of " + before);
        }
    }

    /** Shuts the broker down and deletes its data. */
    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("in-JVM Kafka broker did not stop cleanly", e);
        }
    }
}
