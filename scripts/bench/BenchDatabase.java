import dev.teeledger.testkit.postgres.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The database side of scripts/bench-services.sh (run as a single-file program on testkit's
 * class path): starts an {@link EmbeddedPostgresServer} with a database {@code registry},
 * prints {@code PORT <n>}, waits until registry-service has created its tables (Flyway at its
 * start), fills the read model with {@code hsms} HSMs (ids {@code %064x} of 1..hsms, 20
 * manufacturers, four states), 20 manufacturers and 50 firmware entries, writes the ready file
 * and stays up until it is terminated (SIGTERM stops PostgreSQL).
 *
 * <p>Arguments: data directory, HSM count, ready file.
 */
public final class BenchDatabase {
    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        int hsms = Integer.parseInt(args[1]);
        Path ready = Path.of(args[2]);
        EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dataDir);
        Runtime.getRuntime().addShutdownHook(new Thread(pg::close));
        pg.createDatabase("registry");
        System.out.println("PORT " + pg.port());
        System.out.flush();
        String url = pg.jdbcUrl("registry");
        try (Connection c = DriverManager.getConnection(url, EmbeddedPostgresServer.USER, EmbeddedPostgresServer.PASSWORD)) {
            awaitSchema(c);
            c.setAutoCommit(false);
            String[] states = {"PENDING", "ACTIVE", "ACTIVE", "SUSPENDED"};
            try (PreparedStatement m = c.prepareStatement("insert into manufacturers (id, name, subject, status, added_height,"
                    + " last_event) values (?, ?, ?, 'ACTIVE', ?, ?)")) {
                for (int i = 1; i <= 20; i++) {
                    m.setString(1, mfr(i));
                    m.setString(2, "Bench maker " + i);
                    m.setString(3, "CN=Bench maker " + i);
                    m.setLong(4, i);
                    m.setString(5, i + "/0/0");
                    m.addBatch();
                }
                m.executeBatch();
            }
            try (PreparedStatement f = c.prepareStatement("insert into firmware (sha256, component, version, valid_from_height,"
                    + " valid_until_height, approved_height, last_event) values (?, ?, '1.0.0', 1, 0, ?, ?)")) {
                for (int i = 1; i <= 50; i++) {
                    f.setString(1, String.format("f%063x", i));
                    f.setString(2, "component-" + i);
                    f.setLong(3, 100 + i);
                    f.setString(4, (100 + i) + "/0/0");
                    f.addBatch();
                }
                f.executeBatch();
            }
            try (PreparedStatement h = c.prepareStatement("insert into hsms (id, manufacturer_id, state, endpoint, joined_height,"
                    + " state_height, state_reason, firmware, last_event) values (?, ?, ?, ?, ?, ?, 'joined', ?, ?)")) {
                for (int i = 1; i <= hsms; i++) {
                    long height = 1_000 + i;
                    h.setString(1, String.format("%064x", i));
                    h.setString(2, mfr(1 + i % 20));
                    h.setString(3, states[i % states.length]);
                    h.setString(4, "https://hsm-" + i + ".bench.example:8443");
                    h.setLong(5, height);
                    h.setLong(6, height);
                    h.setString(7, String.format("f%063x", 1 + i % 50));
                    h.setString(8, height + "/0/0");
                    h.addBatch();
                    if (i % 1_000 == 0) {
                        h.executeBatch();
                    }
                }
                h.executeBatch();
            }
            try (Statement s = c.createStatement()) {
                s.execute("insert into indexed_blocks (chain_id, height, block_hash) values ('bench', " + (1_000 + hsms)
                        + ", '" + "00".repeat(32) + "')");
            }
            c.commit();
            try (Statement s = c.createStatement()) {
                s.execute("analyze");
            }
        }
        Files.writeString(ready, "ready\n");
        System.out.println("READY " + hsms + " hsms");
        System.out.flush();
        Thread.currentThread().join(); // until SIGTERM
    }

    private static String mfr(int i) {
        return String.format("a%063x", i);
    }

    private static void awaitSchema(Connection c) throws Exception {
        long deadline = System.nanoTime() + 180_000_000_000L;
        while (true) {
            try (Statement s = c.createStatement()) {
                s.executeQuery("select 1 from hsms limit 0").close();
                // Flyway commits the whole migration at once; wait for its history row too.
                s.executeQuery("select 1 from flyway_schema_history limit 0").close();
                return;
            } catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("registry-service did not create its schema in 3 min", e);
                }
                Thread.sleep(250);
            }
        }
    }
}
