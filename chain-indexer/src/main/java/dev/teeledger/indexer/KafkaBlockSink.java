package dev.teeledger.indexer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@link BlockSink} on Kafka transactions. Each height is one transaction holding its
 * {@link TxRecord}s, {@link ChainEvent}s, {@link BlockRecord} and the new {@link Checkpoint}
 * (compacted checkpoint topic, keyed by indexer id). A consumer reading with
 * {@code isolation.level=read_committed} therefore sees a height whole or not at all, and the
 * checkpoint is exactly the last height it can see: after a crash the indexer resumes at the
 * next height, and the crashed instance's open transaction is aborted (and the instance
 * fenced) by {@code initTransactions} of the new one, which uses the same
 * {@code transactional.id}.
 *
 * <p>Every record carries headers {@code teeledger-id} (the {@link EventId}, for events),
 * {@code teeledger-type} and {@code teeledger-schema}. The producer is created lazily, so a
 * broker that is down at start is a retryable condition, not a crash. Not thread-safe: one
 * {@link ChainIndexer} thread drives it.
 */
public final class KafkaBlockSink implements BlockSink {
    /** Header with the event id ({@code <height>/<tx|b>/<event>}) on event records. */
    public static final String HEADER_ID = "teeledger-id";
    /** Header with the record type: the event type, or {@code tx}, {@code block}, {@code checkpoint}. */
    public static final String HEADER_TYPE = "teeledger-type";
    /** Header with {@link RecordCodec#SCHEMA_VERSION}. */
    public static final String HEADER_SCHEMA = "teeledger-schema";

    private static final System.Logger LOG = System.getLogger(KafkaBlockSink.class.getName());

    private final Properties clientProperties;
    private final IndexerTopics topics;
    private final EventRouting routing;
    private final String indexerId;
    private final Duration readTimeout;
    private KafkaProducer<String, byte[]> producer;

    /**
     * @param clientProperties at least {@code bootstrap.servers}; security settings go here too
     * @param topics topic names
     * @param indexerId checkpoint key, and suffix of the {@code transactional.id}
     *     ({@code teeledger-indexer-<id>}); two running indexers must not share it
     * @param readTimeout bound on reading the checkpoint at start
     */
    public KafkaBlockSink(Properties clientProperties, IndexerTopics topics, String indexerId, Duration readTimeout) {
        this.clientProperties = (Properties) Objects.requireNonNull(clientProperties, "clientProperties").clone();
        this.topics = Objects.requireNonNull(topics, "topics");
        this.routing = new EventRouting(topics);
        this.indexerId = Objects.requireNonNull(indexerId, "indexerId");
        this.readTimeout = Objects.requireNonNull(readTimeout, "readTimeout");
    }

    /** The producer's {@code transactional.id}. */
    public String transactionalId() {
        return "teeledger-indexer-" + indexerId;
    }

    @Override
    public Optional<Checkpoint> checkpoint() throws RetryableException, IndexerException {
        // Fence and abort a crashed predecessor's open transaction first, so that the last
        // stable offset is past it and the read below sees the final committed checkpoint.
        producer();
        Properties p = (Properties) clientProperties.clone();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "teeledger-indexer-checkpoint-" + UUID.randomUUID());
        TopicPartition tp = new TopicPartition(topics.checkpoints(), 0);
        Checkpoint last = null;
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp), readTimeout).get(tp);
            long deadline = System.nanoTime() + readTimeout.toNanos();
            while (c.position(tp, readTimeout) < end) {
                if (System.nanoTime() > deadline) {
                    throw new RetryableException("checkpoint topic not read to its end within " + readTimeout, null);
                }
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (indexerId.equals(r.key()) && r.value() != null) {
                        last = RecordCodec.decodeCheckpoint(r.value());
                    }
                }
            }
        } catch (RecordFormatException e) {
            throw new IndexerException("checkpoint of indexer '" + indexerId + "' in " + topics.checkpoints()
                    + " is unreadable: " + e.getMessage(), e);
        } catch (KafkaException e) {
            throw new RetryableException("cannot read checkpoint topic " + topics.checkpoints() + ": " + e, e);
        }
        return Optional.ofNullable(last);
    }

    @Override
    public void publish(IndexedBlock block) throws RetryableException, IndexerException {
        KafkaProducer<String, byte[]> p = producer();
        List<ProducerRecord<String, byte[]>> records = records(block);
        try {
            p.beginTransaction();
            for (ProducerRecord<String, byte[]> r : records) {
                p.send(r);
            }
            p.commitTransaction();
        } catch (ProducerFencedException | OutOfOrderSequenceException | UnsupportedVersionException
                | AuthorizationException e) {
            closeProducer();
            throw new IndexerException("cannot publish height " + block.height() + " (another indexer with id '"
                    + indexerId + "' running, or broker refuses): " + e, e);
        } catch (KafkaException | IllegalStateException e) {
            // IllegalStateException: the producer is in an error state after an earlier failure.
            try {
                p.abortTransaction();
            } catch (KafkaException | IllegalStateException abortFailed) {
                // A new producer's initTransactions aborts the transaction instead.
                closeProducer();
            }
            throw new RetryableException("height " + block.height() + " not published: " + e, e);
        }
    }

    /** The records of one height, in publication order, ending with the checkpoint. */
    List<ProducerRecord<String, byte[]>> records(IndexedBlock block) {
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
        for (TxRecord t : block.txs()) {
            out.add(record(topics.txs(), t.txHash(), RecordCodec.encode(t), null, "tx"));
        }
        for (ChainEvent e : block.events()) {
            out.add(record(routing.topic(e.type()), e.key(), RecordCodec.encode(e), e.id().toString(), e.type()));
        }
        BlockRecord b = block.block();
        out.add(record(topics.blocks(), b.chainId(), RecordCodec.encode(b), null, "block"));
        out.add(record(topics.checkpoints(), indexerId,
                RecordCodec.encode(new Checkpoint(b.chainId(), b.height(), b.blockHash())), null, "checkpoint"));
        return out;
    }

    private static ProducerRecord<String, byte[]> record(String topic, String key, byte[] value, String id, String type) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, key, value);
        if (id != null) {
            r.headers().add(new RecordHeader(HEADER_ID, id.getBytes(StandardCharsets.UTF_8)));
        }
        r.headers().add(new RecordHeader(HEADER_TYPE, type.getBytes(StandardCharsets.UTF_8)));
        r.headers().add(new RecordHeader(HEADER_SCHEMA,
                Integer.toString(RecordCodec.SCHEMA_VERSION).getBytes(StandardCharsets.UTF_8)));
        return r;
    }

    private KafkaProducer<String, byte[]> producer() throws RetryableException, IndexerException {
        if (producer != null) {
            return producer;
        }
        Properties p = (Properties) clientProperties.clone();
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, transactionalId());
        p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(readTimeout.toMillis()));
        // A height's transaction takes milliseconds; if this process dies with one open, the
        // broker aborts it after this long, unblocking read_committed consumers even if no new
        // instance starts (Kafka's default is 60 s).
        p.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "15000");
        KafkaProducer<String, byte[]> created = null;
        try {
            created = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
            created.initTransactions();
        } catch (ProducerFencedException | AuthorizationException | UnsupportedVersionException e) {
            closeQuietly(created);
            throw new IndexerException("cannot start a Kafka transaction as " + transactionalId() + ": " + e, e);
        } catch (KafkaException e) {
            closeQuietly(created);
            throw new RetryableException("Kafka not ready for transactions as " + transactionalId() + ": " + e, e);
        }
        producer = created;
        LOG.log(System.Logger.Level.INFO, "Kafka producer ready as {0}", transactionalId());
        return producer;
    }

    private void closeProducer() {
        closeQuietly(producer);
        producer = null;
    }

    private static void closeQuietly(KafkaProducer<?, ?> p) {
        if (p != null) {
            try {
                p.close(Duration.ofSeconds(5));
            } catch (KafkaException e) {
                LOG.log(System.Logger.Level.WARNING, "Kafka producer did not close cleanly: {0}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        closeProducer();
    }

    /** Topic configs the checkpoint topic needs ({@link TopicSetup} applies them). */
    static Map<String, String> checkpointTopicConfig() {
        return Map.of("cleanup.policy", "compact");
    }
}
