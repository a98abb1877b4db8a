package dev.teeledger.testkit.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;

/**
 * A real PostgreSQL 17.6 server (zonky embedded binaries, linux-amd64) for tests: started in
 * about a second on a free loopback port, with the default superuser {@code postgres}/{@code
 * postgres} and database {@code postgres}. JUnit tests call {@link #start()} in a
 * {@code @BeforeAll} and {@link #close()} in an {@code @AfterAll}; Quarkus tests use
 * {@link PostgresTestResource}, which wraps one instance.
 *
 * <p>By default the data directory is temporary and removed on {@link #close()}. With
 * {@link #start(Path)} it lives in a given directory and survives a {@link #close()}, so a test
 * can stop the server and start a new one on the same data (the "PostgreSQL restarted" fault).
 * Not thread-safe; one test class drives one server.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    /** Superuser, password and default database of a fresh zonky cluster. */
    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";
    public static final String DATABASE = "postgres";

    private final EmbeddedPostgres pg;

    private EmbeddedPostgresServer(EmbeddedPostgres pg) {
        this.pg = pg;
    }

    /** Starts a server on a free port with a temporary data directory. */
    public static EmbeddedPostgresServer start() {
        return start(EmbeddedPostgres.builder());
    }

    /**
     * Starts a server whose data lives in {@code dataDirectory} and is kept on close; a second
     * call on the same directory (after {@link #close()}) sees the same databases.
     */
    public static EmbeddedPostgresServer start(Path dataDirectory) {
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        return start(EmbeddedPostgres.builder().setDataDirectory(dataDirectory).setCleanDataDirectory(false));
    }

    /**
     * As {@link #start(Path)}, on a fixed port: a restarted server is then reachable at the same
     * URLs, as a service's connection pool expects after a database outage.
     */
    public static EmbeddedPostgresServer start(Path dataDirectory, int port) {
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        return start(EmbeddedPostgres.builder().setDataDirectory(dataDirectory).setCleanDataDirectory(false).setPort(port));
    }

    private static EmbeddedPostgresServer start(EmbeddedPostgres.Builder builder) {
        try {
            return new EmbeddedPostgresServer(builder.setServerConfig("listen_addresses", "127.0.0.1").start());
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL did not start", e);
        }
    }

    /** The TCP port the server listens on (loopback only). */
    public int port() {
        return pg.getPort();
    }

    /** JDBC URL of {@code database} (e.g. {@link #DATABASE}). */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    /** JDBC URL of the default database. */
    public String jdbcUrl() {
        return jdbcUrl(DATABASE);
    }

    /** Vert.x reactive client URL (what {@code quarkus.datasource.reactive.url} takes). */
    public String reactiveUrl(String database) {
        return "postgresql://127.0.0.1:" + port() + "/" + database;
    }

    /** Reactive URL of the default database. */
    public String reactiveUrl() {
        return reactiveUrl(DATABASE);
    }

    /** Creates a database, so that several modules' tests can share one server. */
    public void createDatabase(String name) {
        if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("database name must be a lower-case SQL identifier: " + name);
        }
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
    }

    /** Stops the server; a temporary data directory is deleted, a given one is kept. */
    @Override
    public void close() {
        try {
            pg.close();
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL did not stop cleanly", e);
        }
    }
}
