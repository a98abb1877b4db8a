package dev.teeledger.testkit.kafka;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Quarkus test resource that starts an {@link InJvmKafkaBroker} before the application,
 * pre-creates the topics named in the init arg {@code topics} (comma-separated; {@code
 * partitions} init arg, default 1) and returns {@code kafka.bootstrap.servers}, which the
 * SmallRye Kafka connector reads. Use with {@code @QuarkusTestResource(value =
 * KafkaTestResource.class, initArgs = @ResourceArg(name = "topics", value = "a,b"))}.
 *
 * <p>Compiled against {@code quarkus-test-common} in {@code provided} scope, as {@link
 * dev.teeledger.testkit.postgres.PostgresTestResource} is.
 */
public final class KafkaTestResource implements QuarkusTestResourceLifecycleManager {
    private final List<String> topics = new ArrayList<>();
    private int partitions = 1;
    private InJvmKafkaBroker broker;

    @Override
    public void init(Map<String, String> initArgs) {
        for (String t : initArgs.getOrDefault("topics", "").split(",")) {
            if (!t.isBlank()) {
                topics.add(t.strip());
            }
        }
        partitions = Integer.parseInt(initArgs.getOrDefault("partitions", "1"));
    }

    @Override
    public Map<String, String> start() {
        broker = InJvmKafkaBroker.start();
        if (!topics.isEmpty()) {
            broker.createTopics(partitions, topics);
        }
        return Map.of("kafka.bootstrap.servers", broker.bootstrapServers());
    }

    @Override
    public void stop() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }
}
