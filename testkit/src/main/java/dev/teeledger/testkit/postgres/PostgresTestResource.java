package dev.teeledger.testkit.postgres;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Quarkus test resource that starts an {@link EmbeddedPostgresServer} before the application
 * and hands its coordinates to Quarkus config: {@code quarkus.datasource.reactive.url},
 * {@code quarkus.datasource.jdbc.url}, {@code quarkus.datasource.username} and {@code
 * .password}. Use with {@code @QuarkusTestResource(PostgresTestResource.class)} (or {@code
 * @WithTestResource}); the optional init arg {@code database} creates and selects another
 * database than {@code postgres}.
 *
 * <p>testkit compiles this against {@code quarkus-test-common} in {@code provided} scope: the
 * service modules already have it through {@code quarkus-junit}, and plain JUnit users of
 * testkit never load this class.
 */
public final class PostgresTestResource implements QuarkusTestResourceLifecycleManager {
    private String database = EmbeddedPostgresServer.DATABASE;
    private EmbeddedPostgresServer server;

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", EmbeddedPostgresServer.DATABASE);
    }

    @Override
    public Map<String, String> start() {
        server = EmbeddedPostgresServer.start();
        if (!database.equals(EmbeddedPostgresServer.DATABASE)) {
            server.createDatabase(database);
        }
        return Map.of(
                "quarkus.datasource.reactive.url", server.reactiveUrl(database),
                "quarkus.datasource.jdbc.url", server.jdbcUrl(database),
                "quarkus.datasource.username", EmbeddedPostgresServer.USER,
                "quarkus.datasource.password", EmbeddedPostgresServer.PASSWORD);
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
