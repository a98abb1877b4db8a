package dev.teeledger.testkit.postgres;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.CountDownLatch;

/**
 * The devnet's PostgreSQL: an {@link EmbeddedPostgresServer} (zonky, PostgreSQL 17.6) on a fixed
 * loopback port whose data directory survives restarts, kept running until the process gets
 * SIGTERM. {@code scripts/devnet.sh} starts it as a separate process and records its pid; the
 * shutdown hook stops the postgres child cleanly, so {@code devnet.sh down} leaves nothing behind.
 *
 * <p>Usage: {@code DevPostgresMain <data dir> <port> [database ...]}. Each named database is
 * created when missing (user and password {@code postgres}); a line {@code READY <port>} on
 * stdout tells the script the server accepts connections.
 */
public final class DevPostgresMain {
    private DevPostgresMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: DevPostgresMain <data dir> <port> [database ...]");
            System.exit(2);
        }
        Path data = Path.of(args[0]).toAbsolutePath();
        int port;
        try {
            port = Integer.parseInt(args[1]);
        } catch (NumberFormatException e) {
            System.err.println("port is not a number: " + args[1]);
            System.exit(2);
            return;
        }
        EmbeddedPostgresServer server = EmbeddedPostgresServer.start(data, port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "dev-postgres-stop"));
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), EmbeddedPostgresServer.USER,
                EmbeddedPostgresServer.PASSWORD)) {
            for (int i = 2; i < args.length; i++) {
                if (!exists(c, args[i])) {
                    server.createDatabase(args[i]);
                }
            }
        } catch (SQLException e) {
            System.err.println("cannot prepare databases: " + e.getMessage());
            System.exit(1);
        }
        System.out.println("READY " + server.port());
        System.out.flush();
        stopped.await();
    }

    private static boolean exists(Connection c, String database) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("select 1 from pg_database where datname = ?")) {
            s.setString(1, database);
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }
    }
}
