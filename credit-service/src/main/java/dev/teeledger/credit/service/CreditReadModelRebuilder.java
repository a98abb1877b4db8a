package dev.teeledger.credit.service;

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
 * Rebuilds the credit read models from height 1 ({@link ReadModelRebuild}): empties {@link
 * #TABLES} and re-applies every record of the credit topic in one database transaction, while
 * the live consumer waits on the tables' lock. Runs at start-up when {@code
 * teeledger.read-model.rebuild=true} (set it for one start, docs/services.md "Rebuilding from
 * height 1"); tests call {@link #rebuild()}.
 */
@ApplicationScoped
public class CreditReadModelRebuilder {
    /**
     * The tables derived from the credit topic, emptied by a rebuild: the history, and the supply
     * and ranking fold with its cursor ({@link SupplyProjector} writes the cursor row again).
     */
    public static final List<String> TABLES = List.of("balance_changes", "normalizations", "processed_events",
            "accounts", "account_log", "supply_states", "fold_cursor");

    private final CreditStore store;
    private final DataSource db;
    private final String bootstrapServers;
    private final String creditTopic;
    private final boolean onStart;
    private final Duration timeout;

    public CreditReadModelRebuilder(CreditStore store, DataSource db,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
            @ConfigProperty(name = "mp.messaging.incoming.credit.topic") String creditTopic,
            @ConfigProperty(name = "teeledger.read-model.rebuild", defaultValue = "false") boolean onStart,
            @ConfigProperty(name = "teeledger.read-model.rebuild-timeout", defaultValue = "PT10M") Duration timeout) {
        this.store = store;
        this.db = db;
        this.bootstrapServers = bootstrapServers;
        this.creditTopic = creditTopic;
        this.onStart = onStart;
        this.timeout = timeout;
    }

    void onStart(@Observes StartupEvent ignored) throws SQLException {
        if (onStart) {
            rebuild();
        }
    }

    /** Empties the read models and re-applies the credit topic from its beginning; see the class comment. */
    public ReadModelRebuild.Result rebuild() throws SQLException {
        Properties kafka = new Properties();
        kafka.put("bootstrap.servers", bootstrapServers);
        return ReadModelRebuild.run(db, kafka, TABLES, List.of(creditTopic), (c, topic, value) -> {
            try {
                store.apply(c, RecordCodec.decodeEvent(value));
            } catch (RecordFormatException e) {
                throw new IllegalArgumentException(e.getMessage(), e); // skipped, as the live consumer skips it
            }
        }, timeout);
    }
}
