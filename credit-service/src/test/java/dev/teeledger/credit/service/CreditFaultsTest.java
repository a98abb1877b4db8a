package dev.teeledger.credit.service;

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
import dev.teeledger.protocol.sig.Ed25519KeyPair;
import dev.teeledger.protocol.tx.TxBuilder;
import dev.teeledger.protocol.tx.v1.ActivityKind;
import dev.teeledger.protocol.tx.v1.ActivityReport;
import dev.teeledger.protocol.tx.v1.CreditReason;
import dev.teeledger.protocol.tx.v1.ManufacturerAdd;
import dev.teeledger.protocol.tx.v1.ReporterChange;
import dev.teeledger.protocol.tx.v1.TxType;
import dev.teeledger.service.common.ReadModelRebuild;
import dev.teeledger.testkit.cometbft.LocalChain;
import dev.teeledger.testkit.postgres.PostgresTestResource;
import dev.teeledger.testkit.services.ChainAndIndexerResource;
import dev.teeledger.testkit.services.PipelineProbe;
import dev.teeledger.testkit.swtpm.JoinTransactions;
import dev.teeledger.testkit.swtpm.ProvisionedTpm;
import dev.teeledger.testkit.swtpm.SwtpmFixture;
import dev.teeledger.testkit.swtpm.SwtpmFixture.AkAlgorithm;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
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
 * The credit read models under the pipeline's faults, with real credit activity (two swtpm HSMs
 * joined, an authorised reporter's income reports, the zero-cost burns of their attestation
 * rounds): PostgreSQL stopped, then the indexer process SIGKILLed, while reports commit (the
 * broker restart is {@code RegistryFaultsTest}'s: the same connector and client). After the
 * faults the applied event ids must be exactly the chain's
 * credit events up to the published height, height by height, each once on the topic; every
 * history row must equal its chain event; and each HSM's light-client verified balance must be
 * the sum of its history (no normalization happens at these amounts). Last, a rebuild from
 * height 1 must reproduce the tables row by row.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "restartable", value = "true"))
@WithTestResource(value = ChainAndIndexerResource.class, initArgs = {
        @ResourceArg(name = "chain-id", value = "credit-faults"), @ResourceArg(name = "preset", value = "credit"),
        @ResourceArg(name = "indexer", value = "process")})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CreditFaultsTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final Duration CONVERGENCE = Duration.ofSeconds(60);
    private static final Ed25519KeyPair REPORTER = Ed25519KeyPair.fromSeed(new byte[] {
        41, 41, 41, 41, 41, 41, 41, 41, 41, 41, 41, 41, 41, 41, 41, 41,
        41, 41, 41, 41, 41, 41, 41, 41, 41, 41, 41, 41, 41, 41, 41, 41});
    private static SwtpmFixture tpms;
    private static final List<String> HSMS = new ArrayList<>();
    private static long reporterNonce;
    private static int reports;

    @Inject
    CreditReadModelRebuilder rebuilder;

    @AfterAll
    static void closeTpms() {
        if (tpms != null) {
            tpms.close();
        }
    }

    @Test
    @Order(1)
    void historyConvergesAfterPostgresqlStopsAndTheIndexerIsKilledWhileReportsCommit() throws Exception {
        LocalChain chain = ChainAndIndexerResource.chain();
        tpms = SwtpmFixture.start(AkAlgorithm.RSA, AkAlgorithm.RSA);
        commit(gov(0, TxType.TX_TYPE_MANUFACTURER_ADD, ManufacturerAdd.newBuilder().setName("swtpm localca")
                .setRootCertificate(ByteString.copyFrom(tpms.rootCertificate())).build()));
        for (ProvisionedTpm tpm : tpms.tpms()) {
            commit(JoinTransactions.join(chain.chainId(), tpm));
            HSMS.add(HEX.formatHex(JoinTransactions.hsmId(tpm)));
        }
        commit(gov(1, TxType.TX_TYPE_CREDIT_REPORTER_AUTHORIZE,
                ReporterChange.newBuilder().setKey(REPORTER.publicKey()).build()));
        commit(report(0));
        commit(report(1));
        assertThat(assertConvergedToChain()).isEqualTo(2);

        // PostgreSQL down while reports commit and the indexer publishes them.
        PostgresTestResource.stopServer();
        try {
            commit(report(0));
            commit(report(1));
            Thread.sleep(2_000);
        } finally {
            PostgresTestResource.startServer();
        }
        // The indexer SIGKILLed with a report in flight; two more commit while it is down.
        chain.rpc("/broadcast_tx_sync?tx=0x" + HEX.formatHex(report(0)));
        ChainAndIndexerResource.killIndexer();
        commit(report(1));
        commit(report(0));
        ChainAndIndexerResource.startIndexer();
        commit(report(1));
        assertThat(assertConvergedToChain()).isEqualTo(8);
    }

    @Test
    @Order(2)
    void aRebuildFromHeightOneReproducesEveryReadModelTable() throws Exception {
        assertConvergedToChain();
        ChainAndIndexerResource.killIndexer(); // nothing new while the tables are compared
        try {
            long onTopic = PipelineProbe.publishedEvents(ChainAndIndexerResource.TOPICS.credit()).size();
            await("every published credit event applied", CONVERGENCE,
                    () -> number("select count(*) from processed_events") == onTopic ? true : null);
            Map<String, List<List<Object>>> before = dump(CreditReadModelRebuilder.TABLES);

            ReadModelRebuild.Result result = rebuilder.rebuild();

            Map<String, List<List<Object>>> after = dump(CreditReadModelRebuilder.TABLES);
            for (String table : CreditReadModelRebuilder.TABLES) {
                assertThat(after.get(table)).as(table).containsExactlyElementsOf(before.get(table));
            }
            assertThat(result.applied().get(ChainAndIndexerResource.TOPICS.credit())).isEqualTo(onTopic);
            assertThat(result.skipped().values()).containsOnly(0L);
        } finally {
            ChainAndIndexerResource.startIndexer();
        }
        commit(report(0));
        assertThat(assertConvergedToChain()).isEqualTo(9);
    }

    // --- convergence ---

    /**
     * Waits until the credit read models match the chain up to the published height (see the
     * class comment); returns the number of income rows.
     */
    private static long assertConvergedToChain() throws Exception {
        long target = ChainAndIndexerResource.chain().height();
        await("published height " + target, CONVERGENCE, () -> PipelineProbe.publishedHeight() >= target ? true : null);
        return eventually(CONVERGENCE, CreditFaultsTest::compareWithChain);
    }

    private static long compareWithChain() throws Exception {
        long h = PipelineProbe.publishedHeight();
        String topic = ChainAndIndexerResource.TOPICS.credit();
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
        assertThat(applied).as("applied credit events per height up to %d", h).isEqualTo(expected);

        Set<String> published = new HashSet<>();
        for (ChainEvent e : PipelineProbe.publishedEvents(topic)) {
            if (e.id().height() <= h) {
                assertThat(published.add(e.id().toString())).as("event %s published twice", e.id()).isTrue();
            }
        }
        assertThat(published).containsExactlyInAnyOrderElementsOf(chainEvents.stream().map(e -> e.id().toString()).toList());

        // Every history row is its chain event.
        List<List<Object>> expectedRows = new ArrayList<>();
        for (ChainEvent e : chainEvents) {
            if (e.type().equals("credit.balance_changed")) {
                expectedRows.add(Arrays.asList(e.id().toString(), e.attribute("hsm").orElseThrow().toLowerCase(Locale.ROOT),
                        Long.parseLong(e.attribute("delta").orElseThrow()), e.attribute("reason").orElseThrow(),
                        Long.parseLong(e.attribute("height").orElseThrow())));
            }
        }
        assertThat(rows("select event_id, hsm_id, delta, reason, height from balance_changes where height <= " + h))
                .containsExactlyInAnyOrderElementsOf(expectedRows);
        assertThat(expectedRows).extracting(r -> r.get(3)).contains("CREDIT_REASON_ATTESTATION_INCOME");

        // The verified balance of each HSM is the sum of its whole history.
        for (String hsm : HSMS) {
            long sum = number("select coalesce(sum(delta), 0) from balance_changes where hsm_id = '" + hsm + "'");
            given().get("/api/v1/credit/hsms/" + hsm + "/balance?verified=true").then().statusCode(200)
                    .body("source", org.hamcrest.Matchers.equalTo("chain-verified"))
                    .body("balance", org.hamcrest.Matchers.equalTo((int) sum));
        }
        return number("select count(*) from balance_changes where reason = 'CREDIT_REASON_ATTESTATION_INCOME'");
    }

    // --- chain activity ---

    /** An income report of 1,000 + the report number for HSM {@code i}. */
    private static byte[] report(int i) {
        int n = reports++;
        return TxBuilder.forChain(ChainAndIndexerResource.chain().chainId()).type(TxType.TX_TYPE_CREDIT_ACTIVITY_REPORT)
                .payload(ActivityReport.newBuilder().setHsmId(ByteString.copyFrom(HEX.parseHex(HSMS.get(i))))
                        .setKind(ActivityKind.ACTIVITY_KIND_INCOME).setAmount(1_000 + n)
                        .setReason(CreditReason.CREDIT_REASON_ATTESTATION_INCOME)
                        .setIdempotencyKey(ByteString.copyFromUtf8("fault-" + n)).build())
                .nonce(reporterNonce++).signer(REPORTER).build();
    }

    private static byte[] gov(long nonce, TxType type, com.google.protobuf.Message payload) {
        return TxBuilder.forChain(ChainAndIndexerResource.chain().chainId()).type(type).payload(payload)
                .nonce(nonce).signers(ChainAndIndexerResource.GOV.first(2)).build();
    }
}
