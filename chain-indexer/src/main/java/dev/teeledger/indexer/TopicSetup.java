package dev.teeledger.indexer;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Creates the indexer's topics that do not exist yet, before the indexer or any consumer starts
 * (pre-created topics: with broker auto-creation a consumer on {@code latest} can miss the
 * first records). Event and tx topics get {@code partitions} partitions; the blocks topic one
 * (total order by height); the checkpoint topic one, compacted. Existing topics are left as
 * they are. Called by {@link IndexerMain} when {@code teeledger.indexer.create-topics} is true,
 * and by tests.
 */
public final class TopicSetup {
    private TopicSetup() {}

    /**
     * @return the topics it created
     * @throws IndexerException if the broker refuses or does not answer within 30 s
     */
    public static List<String> ensure(Properties clientProperties, IndexerTopics topics, int partitions, short replication)
            throws IndexerException {
        if (partitions < 1 || replication < 1) {
            throw new IndexerException("partitions and replication factor must be >= 1");
        }
        List<NewTopic> wanted = new ArrayList<>();
        for (String t : topics.eventTopics()) {
            wanted.add(new NewTopic(t, partitions, replication));
        }
        wanted.add(new NewTopic(topics.txs(), partitions, replication));
        wanted.add(new NewTopic(topics.blocks(), 1, replication));
        wanted.add(new NewTopic(topics.checkpoints(), 1, replication).configs(KafkaBlockSink.checkpointTopicConfig()));
        try (Admin admin = Admin.create(clientProperties)) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            }
            return missing.stream().map(NewTopic::name).toList();
        } catch (ExecutionException e) {
            throw new IndexerException("cannot create topics: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IndexerException("Kafka did not answer topic creation within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IndexerException("interrupted while creating topics", e);
        }
    }
}
