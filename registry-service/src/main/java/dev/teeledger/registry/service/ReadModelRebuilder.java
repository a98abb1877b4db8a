package dev.teeledger.registry.service;

import dev.teeledger.indexer.RecordCodec;
import dev.teeledger.indexer.RecordFormatException;
import dev.teeledger.service.common.ReadModelRebuild;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Rebuilds the registry read models from height 1 ({@link ReadModelRebuild}): empties {@link
 * #TABLES} and re-applies every record of the registry and blocks topics, in one database
 * transaction, while the live consumer waits on the tables' lock. Runs at start-up when {@code
 * teeledger.read-model.rebuild=true} (set it for one start, docs/services.md "Rebuilding from
 * height 1"); tests call {@link #rebuild()}. {@code submissions} is kept: it is not derived
 * from the topics.
 */
@ApplicationScoped
public class ReadModelRebuilder {
    /** The tables derived from the topics, emptied by a rebuild. */
    public static final List<String> TABLES = List.of("manufacturers", "hsms", "firmware", "processed_events", "indexed_blocks");

    private final ReadModelStore store;
    private final DataSource db;
    private final String bootstrapServers;
    private final String registryTopic;
    private final String blocksTopic;
    private final boolean onStart;
    private final Duration timeout;

    public ReadModelRebuilder(ReadModelStore store, DataSource db,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
            @ConfigProperty(name = "mp.messaging.incoming.registry.topic") String registryTopic,
            @ConfigProperty(name = "mp.messaging.incoming.blocks.topic") String blocksTopic,
            @ConfigProperty(name = "teeledger.read-model.rebuild", defaultValue = "false") boolean onStart,
            @ConfigProperty(name = "teeledger.read-model.rebuild-timeout", defaultValue = "PT10M") Duration timeout) {
        this.store = store;
        this.db = db;
        this.bootstrapServers = bootstrapServers;
        this.registryTopic = registryTopic;
        this.blocksTopic = blocksTopic;
        this.onStart = onStart;
        this.timeout = timeout;
    }

    void onStart(@Observes StartupEvent ignored) throws SQLException {
        if (onStart) {
            rebuild();
        }
    }

    /** Empties the read models and re-applies both topics from their beginning; see the class comment. */
    public ReadModelRebuild.Result rebuild() throws SQLException {
        Properties kafka = new Properties();
        kafka.put("bootstrap.servers", bootstrapServers);
        return ReadModelRebuild.run(db, kafka, TABLES, List.of(registryTopic, blocksTopic), (c, topic, value) -> {
            try {
                if (topic.equals(registryTopic)) {
                    store.apply(c, RecordCodec.decodeEvent(value));
                } else {
                    store.recordBlock(c, RecordCodec.decodeBlock(value));
                }
            } catch (RecordFormatException e) {
                throw new IllegalArgumentException(e.getMessage(), e); // skipped, as the live consumer skips it
            }
        }, timeout);
    }
}
