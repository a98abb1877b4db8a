package dev.teeledger.registry.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.teeledger.chain.rpc.CometRpcClient;
import dev.teeledger.chain.rpc.CometRpcConfig;
import dev.teeledger.indexer.ChainEvent;
import dev.teeledger.indexer.EventRouting;
import dev.teeledger.indexer.RecordCodec;
import dev.teeledger.indexer.RpcBlockSource;
import dev.teeledger.protocol.tx.TxBuilder;
import dev.teeledger.protocol.tx.v1.FirmwareApprove;
import dev.teeledger.protocol.tx.v1.ManufacturerAdd;
import dev.teeledger.protocol.tx.v1.TxType;
import dev.teeledger.service.common.ReadModelRebuild;
import dev.teeledger.testkit.cometbft.LocalChain;
import dev.teeledger.testkit.fixtures.TestManufacturerCa;
import dev.teeledger.testkit.postgres.EmbeddedPostgresServer;
import dev.teeledger.testkit.postgres.PostgresTestResource;
import dev.teeledger.testkit.services.ChainAndIndexerResource;
import dev.teeledger.testkit.swtpm.JoinTransactions;
import dev.teeledger.testkit.swtpm.ProvisionedTpm;
import dev.teeledger.testkit.swtpm.SwtpmFixture;
import dev.teeledger.testkit.swtpm.SwtpmFixture.AkAlgorithm;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The registry read models under the pipeline's faults, with real registry activity on a real
 * chain (manufacturer adds, firmware approvals with their expiry, swtpm HSM joins): the Kafka
 * broker restarted while transactions commit, PostgreSQL stopped while events flow, and the
 * indexer process SIGKILLed mid-stream and started again. After each fault the read models must
 * converge to the chain ({@link #assertConvergedToChain}): the applied event ids are exactly
 * the chain's registry events up to the indexed height (per height, no gap, no duplicate on the
 * topic either), and every manufacturer, HSM and firmware row equals the light-client verified
 * chain answer. Last, a rebuild from height 1 must reproduce every read-model table row by row.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "restartable", value = "true"))
@WithTestResource(value = ChainAndIndexerResource.class, initArgs = {
        @ResourceArg(name = "chain-id", value = "registry-faults"), @ResourceArg(name = "indexer", value = "process")})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegistryFaultsTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final Duration CONVERGENCE = Duration.ofSeconds(60);
    /** Per-height registry events read from the chain (immutable once committed). */
    private static final Map<Long, List<ChainEvent>> CHAIN_EVENTS = new HashMap<>();
    private static long nonce;
    private static SwtpmFixture tpms;

    @Inject
    ReadModelRebuilder rebuilder;

    @AfterAll
    static void closeTpms() {
        if (tpms != null) {
            tpms.close();
        }
    }

    @Test
    @Order(1)
    void readModelsConvergeAfterTheKafkaBrokerRestartsWhileTransactionsCommit() throws Exception {
        commit(manufacturerAdd("Fault maker 1"));
        commit(firmwareApprove("fw-a"));
        Thread restart = new Thread(() -> ChainAndIndexerResource.kafka().restartBroker(Duration.ofSeconds(3)));
        restart.start();
        Thread.sleep(300);
        // Committed on chain while the broker is down: the indexer must publish them afterwards.
        commit(manufacturerAdd("Fault maker 2"));
        commit(firmwareApprove("fw-b"));
        restart.join(60_000);
        assertThat(restart.isAlive()).isFalse();
        commit(manufacturerAdd("Fault maker 3"));

        Snapshot s = assertConvergedToChain();
        assertThat(s.manufacturers()).isEqualTo(3);
        assertThat(s.firmware()).isEqualTo(2);
    }

    @Test
    @Order(2)
    void readModelsConvergeAfterPostgresqlIsStoppedWhileEventsFlow() throws Exception {
        tpms = SwtpmFixture.start(AkAlgorithm.RSA, AkAlgorithm.RSA);
        byte[] root = tpms.rootCertificate();
        commit(gov(TxType.TX_TYPE_MANUFACTURER_ADD,
                ManufacturerAdd.newBuilder().setName("swtpm localca").setRootCertificate(ByteString.copyFrom(root)).build()));

        PostgresTestResource.stopServer();
        try {
            // The indexer keeps publishing; the consumer cannot write and must wait, not give up.
            commit(JoinTransactions.join(ChainAndIndexerResource.chain().chainId(), tpms.tpm(0)));
            commit(firmwareApprove("fw-c"));
            commit(manufacturerAdd("Fault maker 4"));
            Thread.sleep(2_000);
        } finally {
            PostgresTestResource.startServer();
        }
        commit(firmwareApprove("fw-d"));

        Snapshot s = assertConvergedToChain();
        assertThat(s.hsms()).isEqualTo(1);
        given().get("/api/v1/hsms/" + HEX.formatHex(JoinTransactions.hsmId(tpms.tpm(0)))).then().statusCode(200);
    }

    @Test
    @Order(3)
    void readModelsConvergeAfterTheIndexerIsKilledMidStreamAndRestarted() throws Exception {
        LocalChain chain = ChainAndIndexerResource.chain();
        // In flight when the indexer dies: sent, not waited for.
        chain.rpc("/broadcast_tx_sync?tx=0x" + HEX.formatHex(manufacturerAdd("Fault maker 5")));
        ChainAndIndexerResource.killIndexer();
        commit(JoinTransactions.join(chain.chainId(), tpms.tpm(1)));
        commit(firmwareApprove("fw-e"));
        chain.waitForHeight(chain.height() + 2, Duration.ofSeconds(20));
        ChainAndIndexerResource.startIndexer();
        commit(manufacturerAdd("Fault maker 6"));

        Snapshot s = assertConvergedToChain();
        assertThat(s.manufacturers()).isEqualTo(7);
        assertThat(s.hsms()).isEqualTo(2);
        assertThat(s.firmware()).isEqualTo(5);
    }

    @Test
    @Order(4)
    void aRebuildFromHeightOneReproducesEveryReadModelTable() throws Exception {
        // Nothing new may be published while the tables are compared.
        ChainAndIndexerResource.killIndexer();
        try {
            assertConvergedToChain();
            long published = publishedHeight();
            await("the service to consume up to height " + published, () -> indexedHeight() == published ? true : null);
            Map<String, List<List<Object>>> before = dump();
            assertThat(before.get("processed_events")).isNotEmpty();

            ReadModelRebuild.Result result = rebuilder.rebuild();

            Map<String, List<List<Object>>> after = dump();
            for (String table : ReadModelRebuilder.TABLES) {
                assertThat(after.get(table)).as(table).containsExactlyElementsOf(before.get(table));
            }
            assertThat(result.applied().get(ChainAndIndexerResource.TOPICS.registry()))
                    .isEqualTo(before.get("processed_events").size());
            assertThat(result.applied().get(ChainAndIndexerResource.TOPICS.blocks())).isEqualTo(published);
            assertThat(result.skipped().values()).containsOnly(0L);
        } finally {
            ChainAndIndexerResource.startIndexer();
        }
        // The live consumer carries on after the rebuild: later activity still arrives.
        commit(manufacturerAdd("Fault maker 7"));
        assertThat(assertConvergedToChain().manufacturers()).isEqualTo(8);
    }

    // --- convergence ---

    /** Row counts of the converged read model. */
    record Snapshot(long indexedHeight, int manufacturers, int hsms, int firmware) {}

    /**
     * Waits until the read models match the chain, then returns their sizes; fails with the
     * last difference after {@link #CONVERGENCE}.
     */
    private static Snapshot assertConvergedToChain() throws Exception {
        long target = ChainAndIndexerResource.chain().height();
        await("indexed height " + target, () -> indexedHeight() >= target ? true : null);
        long deadline = System.nanoTime() + CONVERGENCE.toNanos();
        while (true) {
            try {
                return compareWithChain();
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    private static Snapshot compareWithChain() throws Exception {
        long h = indexedHeight();
        // The chain's registry events 1..h, by height.
        TreeMap<Long, List<String>> chainIds = new TreeMap<>();
        List<ChainEvent> chainEvents = new ArrayList<>();
        for (long i = 1; i <= h; i++) {
            for (ChainEvent e : chainEvents(i)) {
                chainIds.computeIfAbsent(i, k -> new ArrayList<>()).add(e.id() + " " + e.type());
                chainEvents.add(e);
            }
        }
        // What the service applied, by height.
        TreeMap<Long, List<String>> applied = new TreeMap<>();
        for (List<Object> row : rows("select height, event_id, type from processed_events where height <= " + h)) {
            applied.computeIfAbsent(((Number) row.get(0)).longValue(), k -> new ArrayList<>()).add(row.get(1) + " " + row.get(2));
        }
        applied.values().forEach(l -> l.sort(null));
        chainIds.values().forEach(l -> l.sort(null));
        assertThat(applied).as("applied registry events per height up to %d", h).isEqualTo(chainIds);

        // The topic itself: every chain event once, nothing else, up to h.
        TreeSet<String> onTopic = new TreeSet<>();
        for (ConsumerRecord<String, byte[]> r : readAll(ChainAndIndexerResource.TOPICS.registry())) {
            ChainEvent e = RecordCodec.decodeEvent(r.value());
            if (e.id().height() <= h) {
                assertThat(onTopic.add(e.id().toString())).as("event %s published twice", e.id()).isTrue();
            }
        }
        assertThat(onTopic).containsExactlyInAnyOrderElementsOf(chainEvents.stream().map(e -> e.id().toString()).toList());

        // Every row against the verified chain answer; every entity the chain created has a row.
        List<List<Object>> mfrs = rows("select id, name, subject, status, added_height, revoked_height from manufacturers order by id");
        assertThat(mfrs).extracting(r -> r.get(0)).containsExactlyInAnyOrderElementsOf(
                attributeOf(chainEvents, "manufacturer.added", "manufacturer_id"));
        for (List<Object> m : mfrs) {
            JsonPath v = verified("/api/v1/manufacturers/" + m.get(0));
            assertThat(java.util.Arrays.asList(v.getString("name"), v.getString("subject"), v.getString("status"), v.getLong("added_height")))
                    .as("manufacturer %s", m.get(0)).isEqualTo(m.subList(1, 5));
            assertThat(v.get("revoked_height") == null ? null : v.getLong("revoked_height")).isEqualTo(m.get(5));
        }
        List<List<Object>> hsms = rows("select id, manufacturer_id, state, endpoint, joined_height, state_height, state_reason"
                + " from hsms order by id");
        assertThat(hsms).extracting(r -> r.get(0)).containsExactlyInAnyOrderElementsOf(
                attributeOf(chainEvents, "hsm.joined", "hsm_id"));
        for (List<Object> m : hsms) {
            JsonPath v = verified("/api/v1/hsms/" + m.get(0));
            assertThat(java.util.Arrays.asList(v.getString("manufacturer_id"), v.getString("state"), v.getString("endpoint"),
                    v.getLong("joined_height"), v.getLong("state_height"), v.getString("state_reason")))
                    .as("hsm %s", m.get(0)).isEqualTo(m.subList(1, 7));
        }
        List<List<Object>> fws = rows("select sha256, component, version, valid_from_height, valid_until_height,"
                + " approved_height from firmware order by sha256");
        assertThat(fws).extracting(r -> r.get(0)).containsExactlyInAnyOrderElementsOf(
                attributeOf(chainEvents, "firmware.approved", "sha256"));
        for (List<Object> f : fws) {
            JsonPath v = verified("/api/v1/firmware/" + f.get(0));
            assertThat(java.util.Arrays.asList(v.getString("component"), v.getString("version"), v.getLong("valid_from_height"),
                    v.getLong("valid_until_height"), v.getLong("approved_height"))).as("firmware %s", f.get(0))
                    .isEqualTo(f.subList(1, 6));
        }
        return new Snapshot(h, mfrs.size(), hsms.size(), fws.size());
    }

    private static List<String> attributeOf(List<ChainEvent> events, String type, String attribute) {
        return events.stream().filter(e -> e.type().equals(type))
                .map(e -> e.attribute(attribute).orElseThrow().toLowerCase(java.util.Locale.ROOT)).distinct().toList();
    }

    private static JsonPath verified(String path) {
        Response r = given().get(path + "?verified=true");
        assertThat(r.statusCode()).as("%s?verified=true: %s", path, r.asString()).isEqualTo(200);
        assertThat(r.jsonPath().getString("source")).isEqualTo("chain");
        return r.jsonPath();
    }

    /** The registry events of one height, straight from the node (the indexer's own mapping, not Kafka). */
    private static List<ChainEvent> chainEvents(long height) throws Exception {
        List<ChainEvent> cached = CHAIN_EVENTS.get(height);
        if (cached != null) {
            return cached;
        }
        RpcBlockSource source = new RpcBlockSource(new CometRpcClient(CometRpcConfig.of(
                URI.create(ChainAndIndexerResource.chain().rpcUrl()))));
        EventRouting routing = new EventRouting(ChainAndIndexerResource.TOPICS);
        List<ChainEvent> events = source.fetch(height).events().stream()
                .filter(e -> routing.topic(e.type()).equals(ChainAndIndexerResource.TOPICS.registry())).toList();
        CHAIN_EVENTS.put(height, events);
        return events;
    }

    // --- database ---

    private static long indexedHeight() {
        try {
            List<List<Object>> r = rows("select coalesce(max(height), 0) from indexed_blocks");
            return ((Number) r.get(0).get(0)).longValue();
        } catch (Exception e) {
            return -1;
        }
    }

    private static Map<String, List<List<Object>>> dump() throws Exception {
        Map<String, List<List<Object>>> out = new HashMap<>();
        for (String table : ReadModelRebuilder.TABLES) {
            out.put(table, rows("select * from " + table + " order by 1"));
        }
        return out;
    }

    private static List<List<Object>> rows(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(PostgresTestResource.jdbcUrl(), EmbeddedPostgresServer.USER,
                EmbeddedPostgresServer.PASSWORD); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            List<List<Object>> out = new ArrayList<>();
            int n = r.getMetaData().getColumnCount();
            while (r.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    Object o = r.getObject(i);
                    row.add(o instanceof String str ? str.strip() : o);
                }
                out.add(row);
            }
            return out;
        }
    }

    // --- Kafka ---

    private static long publishedHeight() throws Exception {
        List<ConsumerRecord<String, byte[]>> all = readAll(ChainAndIndexerResource.TOPICS.blocks());
        return all.isEmpty() ? 0 : RecordCodec.decodeBlock(all.get(all.size() - 1).value()).height();
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        Properties p = ChainAndIndexerResource.kafka().clientProperties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo i : c.partitionsFor(topic)) {
                parts.add(new TopicPartition(topic, i.partition()));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                assertThat(System.nanoTime()).as("reading %s to its end", topic).isLessThan(deadline);
                c.poll(Duration.ofMillis(100)).forEach(out::add);
            }
        }
        out.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition())
                : Long.compare(a.offset(), b.offset()));
        return out;
    }

    // --- chain activity ---

    private static void commit(byte[] tx) throws Exception {
        JsonNode answer = ChainAndIndexerResource.chain().rpc("/broadcast_tx_commit?tx=0x" + HEX.formatHex(tx));
        JsonNode result = answer.path("result");
        assertThat(result.path("check_tx").path("code").asInt(-1)).as(answer.toString()).isZero();
        assertThat(result.path("tx_result").path("code").asInt(-1)).as(answer.toString()).isZero();
    }

    private static byte[] manufacturerAdd(String name) {
        TestManufacturerCa ca = TestManufacturerCa.create(name + " CA");
        return gov(TxType.TX_TYPE_MANUFACTURER_ADD, ManufacturerAdd.newBuilder().setName(name)
                .setRootCertificate(ByteString.copyFrom(ca.rootCertificate())).build());
    }

    /** A firmware entry whose window opens 5 blocks ahead and closes 4 later (expiry: a block event). */
    private static byte[] firmwareApprove(String component) throws Exception {
        long h = ChainAndIndexerResource.chain().height();
        byte[] sha = MessageDigest.getInstance("SHA-256").digest(component.getBytes(StandardCharsets.UTF_8));
        return gov(TxType.TX_TYPE_FIRMWARE_APPROVE, FirmwareApprove.newBuilder().setComponent(component).setVersion("1.0.0")
                .setSha256(ByteString.copyFrom(sha)).setValidFromHeight(h + 5).setValidUntilHeight(h + 9).build());
    }

    private static byte[] gov(TxType type, com.google.protobuf.Message payload) {
        return TxBuilder.forChain(ChainAndIndexerResource.chain().chainId()).type(type).payload(payload)
                .nonce(nonce++).signers(ChainAndIndexerResource.GOV.first(2)).build();
    }

    private interface Probe<T> {
        T get() throws Exception;
    }

    private static <T> T await(String what, Probe<T> probe) throws Exception {
        long deadline = System.nanoTime() + CONVERGENCE.toNanos();
        while (true) {
            T v = probe.get();
            if (v != null) {
                return v;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(200);
        }
    }
}
