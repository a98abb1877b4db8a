package dev.teeledger.testkit.postgres;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Quarkus test resource that starts an {@link EmbeddedPostgresServer} before the application
 * and hands its coordinates to Quarkus config: {@code quarkus.datasource.reactive.url},
 * {@code quarkus.datasource.jdbc.url}, {@code quarkus.datasource.username} and {@code
 * .password}. Use with {@code @QuarkusTestResource(PostgresTestResource.class)} (or {@code
 * @WithTestResource}); the optional init arg {@code database} creates and selects another
 * database than {@code postgres}.
 *
 * <p>With the init arg {@code restartable=true} the data lives in a directory of its own and the
 * port stays fixed, so a fault test can {@link #stopServer()} and {@link #startServer()} the
 * database under the running service (the "PostgreSQL restarted" fault): the service's pool
 * reconnects to the same URL and finds the same data. {@link #jdbcUrl()} gives the test its own
 * JDBC access. One instance is active at a time.
 *
 * <p>testkit compiles this against {@code quarkus-test-common} in {@code provided} scope: the
 * service modules already have it through {@code quarkus-junit}, and plain JUnit users of
 * testkit never load this class.
 */
public final class PostgresTestResource implements QuarkusTestResourceLifecycleManager {
    private static volatile PostgresTestResource active;

    private String database = EmbeddedPostgresServer.DATABASE;
    private boolean restartable;
    private Path dataDirectory;
    private int port;
    private EmbeddedPostgresServer server;

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", EmbeddedPostgresServer.DATABASE);
        restartable = Boolean.parseBoolean(initArgs.getOrDefault("restartable", "false"));
    }

    /** JDBC URL of the database the service uses (user and password: {@link EmbeddedPostgresServer#USER}). */
    public static String jdbcUrl() {
        PostgresTestResource r = current();
        return "jdbc:postgresql://127.0.0.1:" + r.port + "/" + r.database;
    }

    /** Stops the server (fast shutdown: sessions are terminated); requires {@code restartable=true}. */
    public static synchronized void stopServer() {
        PostgresTestResource r = current();
        if (!r.restartable || r.server == null) {
            throw new IllegalStateException("not restartable (init arg restartable=true) or already stopped");
        }
        r.server.close();
        r.server = null;
    }

    /** Starts the server again on the same data directory and port. */
    public static synchronized void startServer() {
        PostgresTestResource r = current();
        if (!r.restartable || r.server != null) {
            throw new IllegalStateException("not restartable (init arg restartable=true) or already running");
        }
        r.server = EmbeddedPostgresServer.start(r.dataDirectory, r.port);
    }

    private static PostgresTestResource current() {
        PostgresTestResource r = active;
        if (r == null) {
            throw new IllegalStateException("PostgresTestResource is not started");
        }
        return r;
    }

    @Override
    public Map<String, String> start() {
        if (restartable) {
            try {
                dataDirectory = Files.createTempDirectory("pg-restartable-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server = EmbeddedPostgresServer.start(dataDirectory);
        } else {
            server = EmbeddedPostgresServer.start();
        }
        port = server.port();
        if (!database.equals(EmbeddedPostgresServer.DATABASE)) {
            server.createDatabase(database);
        }
        active = this;
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
        if (dataDirectory != null) {
            try (Stream<Path> files = Files.walk(dataDirectory)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                // A leftover temporary directory is not worth failing the test run for.
            }
            dataDirectory = null;
        }
        if (active == this) {
            active = null;
        }
    }
}
