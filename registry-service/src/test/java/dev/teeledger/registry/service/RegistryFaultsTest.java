package dev.teeledger.registry.service;

import static dev.teeledger.testkit.services.PipelineProbe.await;
import static dev.teeledger.testkit.services.PipelineProbe.chainEventsUpTo;
import static dev.teeledger.testkit.services.PipelineProbe.commit;
import static dev.teeledger.testkit.services.PipelineProbe.dump;
import static dev.teeledger.testkit.services.PipelineProbe.eventually;
import static dev.teeledger.testkit.services.PipelineProbe.number;
import static dev.teeledger.testkit.services.PipelineProbe.rows;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.teeledger.indexer.ChainEvent;
import dev.teeledger.protocol.tx.TxBuilder;
import dev.teeledger.protocol.tx.v1.FirmwareApprove;
import dev.teeledger.protocol.tx.v1.ManufacturerAdd;
import dev.teeledger.protocol.tx.v1.TxType;
import dev.teeledger.service.common.ReadModelRebuild;
import dev.teeledger.testkit.cometbft.LocalChain;
import dev.teeledger.testkit.fixtures.TestManufacturerCa;
import dev.teeledger.testkit.postgres.PostgresTestResource;
import dev.teeledger.testkit.services.ChainAndIndexerResource;
import dev.teeledger.testkit.services.PipelineProbe;
import dev.teeledger.testkit.swtpm.JoinTransactions;
import dev.teeledger.testkit.swtpm.SwtpmFixture;
import dev.teeledger.testkit.swtpm.SwtpmFixture.AkAlgorithm;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The registry read models under the pipeline's faults, with real registry activity on a real
 * chain (manufacturer adds, firmware approvals with their expiry block events, swtpm HSM joins):
 * the Kafka broker restarted while transactions commit, PostgreSQL stopped while events flow,
 * and the indexer process SIGKILLed with a transaction in flight and started again. After each
 * fault the read models must converge to the chain ({@link #assertConvergedToChain}): the
 * applied event ids are exactly the chain's registry events up to the indexed height, height by
 * height (no gap; the topic holds each once: no duplicate), and every manufacturer, HSM and
 * firmware row equals the light-client verified chain answer. Last, a rebuild from height 1
 * must reproduce every read-model table row by row.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "restartable", value = "true"))
@WithTestResource(value = ChainAndIndexerResource.class, initArgs = {
        @ResourceArg(name = "chain-id", value = "registry-faults"), @ResourceArg(name = "indexer", value = "process")})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegistryFaultsTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final Duration CONVERGENCE = Duration.ofSeconds(60);
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

        Counts c = assertConvergedToChain();
        assertThat(c.manufacturers()).isEqualTo(3);
        assertThat(c.firmware()).isEqualTo(2);
    }

    @Test
    @Order(2)
    void readModelsConvergeAfterPostgresqlIsStoppedWhileEventsFlow() throws Exception {
        tpms = SwtpmFixture.start(AkAlgorithm.RSA, AkAlgorithm.RSA);
        commit(gov(TxType.TX_TYPE_MANUFACTURER_ADD, ManufacturerAdd.newBuilder().setName("swtpm localca")
                .setRootCertificate(ByteString.copyFrom(tpms.rootCertificate())).build()));

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

        Counts c = assertConvergedToChain();
        assertThat(c.hsms()).isEqualTo(1);
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

        Counts c = assertConvergedToChain();
        assertThat(c.manufacturers()).isEqualTo(7);
        assertThat(c.hsms()).isEqualTo(2);
        assertThat(c.firmware()).isEqualTo(5);
    }

    @Test
    @Order(4)
    void aRebuildFromHeightOneReproducesEveryReadModelTable() throws Exception {
        assertConvergedToChain();
        // Nothing new may be published while the tables are compared.
        ChainAndIndexerResource.killIndexer();
        try {
            long published = PipelineProbe.publishedHeight();
            await("the service to consume up to height " + published, CONVERGENCE,
                    () -> indexedHeight() == published ? true : null);
            eventually(CONVERGENCE, RegistryFaultsTest::compareWithChain);
            Map<String, List<List<Object>>> before = dump(ReadModelRebuilder.TABLES);
            assertThat(before.get("processed_events")).isNotEmpty();

            ReadModelRebuild.Result result = rebuilder.rebuild();

            Map<String, List<List<Object>>> after = dump(ReadModelRebuilder.TABLES);
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
        // The live consumer carries on after the rebuild: redelivered records are duplicates, later ones arrive.
        commit(manufacturerAdd("Fault maker 7"));
        assertThat(assertConvergedToChain().manufacturers()).isEqualTo(8);
    }

    // --- convergence ---

    /** Row counts of the converged read model. */
    record Counts(long indexedHeight, int manufacturers, int hsms, int firmware) {}

    /** Waits until the read models match the chain (see the class comment), then returns their sizes. */
    private static Counts assertConvergedToChain() throws Exception {
        long target = ChainAndIndexerResource.chain().height();
        await("indexed height " + target, CONVERGENCE, () -> indexedHeight() >= target ? true : null);
        return eventually(CONVERGENCE, RegistryFaultsTest::compareWithChain);
    }

    private static Counts compareWithChain() throws Exception {
        long h = indexedHeight();
        String topic = ChainAndIndexerResource.TOPICS.registry();
        List<ChainEvent> chainEvents = chainEventsUpTo(h, topic);
        TreeMap<Long, List<String>> expected = new TreeMap<>();
        for (ChainEvent e : chainEvents) {
            expected.computeIfAbsent(e.id().height(), k -> new ArrayList<>()).add(e.id() + " " + e.type());
        }
        TreeMap<Long, List<String>> applied = new TreeMap<>();
        for (List<Object> row : rows("select height, event_id, type from processed_events where height <= " + h)) {
            applied.computeIfAbsent(((Number) row.get(0)).longValue(), k -> new ArrayList<>()).add(row.get(1) + " " + row.get(2));
        }
        expected.values().forEach(l -> l.sort(null));
        applied.values().forEach(l -> l.sort(null));
        assertThat(applied).as("applied registry events per height up to %d", h).isEqualTo(expected);

        // The topic: every chain event once, nothing else, up to h.
        Set<String> published = new HashSet<>();
        for (ChainEvent e : PipelineProbe.publishedEvents(topic)) {
            if (e.id().height() <= h) {
                assertThat(published.add(e.id().toString())).as("event %s published twice", e.id()).isTrue();
            }
        }
        assertThat(published).containsExactlyInAnyOrderElementsOf(chainEvents.stream().map(e -> e.id().toString()).toList());

        // Every row against the verified chain answer; every entity the chain created has a row.
        List<List<Object>> mfrs = rows("select id, name, subject, status, added_height, revoked_height from manufacturers");
        assertThat(mfrs).extracting(r -> r.get(0))
                .containsExactlyInAnyOrderElementsOf(attributeOf(chainEvents, "manufacturer.added", "manufacturer_id"));
        for (List<Object> m : mfrs) {
            JsonPath v = verified("/api/v1/manufacturers/" + m.get(0));
            assertThat(Arrays.asList(v.getString("name"), v.getString("subject"), v.getString("status"),
                    v.getLong("added_height"), v.get("revoked_height") == null ? null : v.getLong("revoked_height")))
                    .as("manufacturer %s", m.get(0)).isEqualTo(m.subList(1, 6));
        }
        List<List<Object>> hsms = rows("select id, manufacturer_id, state, endpoint, joined_height, state_height, state_reason"
                + " from hsms");
        assertThat(hsms).extracting(r -> r.get(0))
                .containsExactlyInAnyOrderElementsOf(attributeOf(chainEvents, "hsm.joined", "hsm_id"));
        for (List<Object> m : hsms) {
            JsonPath v = verified("/api/v1/hsms/" + m.get(0));
            assertThat(Arrays.asList(v.getString("manufacturer_id"), v.getString("state"), v.getString("endpoint"),
                    v.getLong("joined_height"), v.getLong("state_height"), v.getString("state_reason")))
                    .as("hsm %s", m.get(0)).isEqualTo(m.subList(1, 7));
        }
        List<List<Object>> fws = rows("select sha256, component, version, valid_from_height, valid_until_height,"
                + " approved_height from firmware");
        assertThat(fws).extracting(r -> r.get(0))
                .containsExactlyInAnyOrderElementsOf(attributeOf(chainEvents, "firmware.approved", "sha256"));
        for (List<Object> f : fws) {
            JsonPath v = verified("/api/v1/firmware/" + f.get(0));
            assertThat(Arrays.asList(v.getString("component"), v.getString("version"), v.getLong("valid_from_height"),
                    v.getLong("valid_until_height"), v.getLong("approved_height")))
                    .as("firmware %s", f.get(0)).isEqualTo(f.subList(1, 6));
        }
        return new Counts(h, mfrs.size(), hsms.size(), fws.size());
    }

    private static List<String> attributeOf(List<ChainEvent> events, String type, String attribute) {
        return events.stream().filter(e -> e.type().equals(type))
                .map(e -> e.attribute(attribute).orElseThrow().toLowerCase(Locale.ROOT)).distinct().toList();
    }

    private static JsonPath verified(String path) {
        Response r = given().get(path + "?verified=true");
        assertThat(r.statusCode()).as("%s?verified=true: %s", path, r.asString()).isEqualTo(200);
        assertThat(r.jsonPath().getString("source")).isEqualTo("chain");
        return r.jsonPath();
    }

    /** The service's indexed height, -1 while the database is unreachable. */
    private static long indexedHeight() {
        try {
            return number("select coalesce(max(height), 0) from indexed_blocks");
        } catch (java.sql.SQLException e) {
            return -1;
        }
    }

    // --- chain activity ---

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
}
