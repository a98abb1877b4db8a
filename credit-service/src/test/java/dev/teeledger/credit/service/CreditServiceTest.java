package dev.teeledger.credit.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.teeledger.credit.service.v1.Balance;
import dev.teeledger.credit.service.v1.BalanceChange;
import dev.teeledger.credit.service.v1.CreditServiceGrpc;
import dev.teeledger.credit.service.v1.GetBalanceRequest;
import dev.teeledger.credit.service.v1.GetHistoryRequest;
import dev.teeledger.credit.service.v1.GetRankingRequest;
import dev.teeledger.credit.service.v1.GetSupplyHistoryRequest;
import dev.teeledger.credit.service.v1.GetSupplyRequest;
import dev.teeledger.credit.service.v1.HistoryPage;
import dev.teeledger.credit.service.v1.ListNormalizationsRequest;
import dev.teeledger.credit.service.v1.NormalizationList;
import dev.teeledger.credit.service.v1.RankedHsm;
import dev.teeledger.credit.service.v1.Ranking;
import dev.teeledger.credit.service.v1.Supply;
import dev.teeledger.credit.service.v1.SupplyHistory;
import dev.teeledger.credit.service.v1.SupplyPoint;
import dev.teeledger.indexer.ChainEvent;
import dev.teeledger.service.common.GrpcProblems;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.restassured.RestAssured;
import java.util.concurrent.TimeUnit;
import dev.teeledger.indexer.EventId;
import dev.teeledger.indexer.RecordCodec;
import dev.teeledger.protocol.sig.Ed25519KeyPair;
import dev.teeledger.protocol.tx.TxBuilder;
import dev.teeledger.protocol.tx.v1.ActivityKind;
import dev.teeledger.protocol.tx.v1.ActivityReport;
import dev.teeledger.protocol.tx.v1.CreditReason;
import dev.teeledger.protocol.tx.v1.ManufacturerAdd;
import dev.teeledger.protocol.tx.v1.ReporterChange;
import dev.teeledger.protocol.tx.v1.TxType;
import dev.teeledger.testkit.cometbft.LocalChain;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The service against the real pipeline: chain → indexer → Kafka → consumer → PostgreSQL →
 * REST. Two swtpm HSMs join, governance authorises a reporter, and its activity reports must
 * show up as history rows matching the chain's events, with the verified balance equal to
 * their sum; pushing the total past 110 % of the cap must produce a normalization row.
 * Redelivery and malformed records are driven with synthetic records on the credit topic.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(value = ChainAndIndexerResource.class, initArgs = {
        @ResourceArg(name = "chain-id", value = "credit-svc-it"), @ResourceArg(name = "preset", value = "credit")})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CreditServiceTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final Ed25519KeyPair REPORTER = Ed25519KeyPair.fromSeed(filled(40));
    private static final int REPORTS_A = 12;
    private static final long AMOUNT_A = 10_000;
    private static SwtpmFixture tpms;
    private static String hsmA;
    private static String hsmB;
    private static long reporterNonce;

    @AfterAll
    static void closeTpms() throws Exception {
        if (tpms != null) {
            tpms.close();
        }
    }

    @Test
    @Order(1)
    void activityReportsBecomeHistoryRowsAndTheVerifiedBalanceIsTheirSum() throws Exception {
        LocalChain chain = ChainAndIndexerResource.chain();
        tpms = SwtpmFixture.start(AkAlgorithm.RSA, AkAlgorithm.RSA);
        accepted(commit(TxBuilder.forChain(chain.chainId()).type(TxType.TX_TYPE_MANUFACTURER_ADD)
                .payload(ManufacturerAdd.newBuilder().setName("swtpm localca")
                        .setRootCertificate(ByteString.copyFrom(tpms.rootCertificate())).build())
                .nonce(0).signers(ChainAndIndexerResource.GOV.first(2)).build()));
        for (ProvisionedTpm tpm : tpms.tpms()) {
            accepted(commit(JoinTransactions.join(chain.chainId(), tpm)));
        }
        hsmA = HEX.formatHex(JoinTransactions.hsmId(tpms.tpm(0)));
        hsmB = HEX.formatHex(JoinTransactions.hsmId(tpms.tpm(1)));
        accepted(commit(TxBuilder.forChain(chain.chainId()).type(TxType.TX_TYPE_CREDIT_REPORTER_AUTHORIZE)
                .payload(ReporterChange.newBuilder().setKey(REPORTER.publicKey()).build())
                .nonce(1).signers(ChainAndIndexerResource.GOV.first(2)).build()));

        List<Long> heights = new ArrayList<>();
        for (int i = 0; i < REPORTS_A; i++) {
            JsonNode res = commit(report(hsmA, AMOUNT_A + i, "ra-a-" + i));
            accepted(res);
            heights.add(res.path("height").asLong());
        }
        accepted(commit(report(hsmB, 50_000, "ra-b-0")));

        // Besides the reports, A's history holds the zero RA-cost burns of its inconclusive
        // attestation rounds (attestation.ra_cost = 0): real rows too, so the sum covers them.
        JsonPath all = await("12 income rows for A", () -> {
            JsonPath p = given().get("/api/v1/credit/hsms/" + hsmA + "/history?size=100").then().statusCode(200)
                    .extract().jsonPath();
            return p.getList("items.reason").stream().filter("CREDIT_REASON_ATTESTATION_INCOME"::equals).count() == REPORTS_A
                    ? p : null;
        });
        long sum = 0;
        int income = 0;
        for (int i = 0; i < all.getList("items").size(); i++) {
            String row = "items[" + i + "].";
            assertThat(all.getString(row + "hsm_id")).isEqualTo(hsmA);
            sum += all.getLong(row + "delta");
            if (!all.getString(row + "reason").equals("CREDIT_REASON_ATTESTATION_INCOME")) {
                continue;
            }
            assertThat(all.getLong(row + "delta")).isEqualTo(AMOUNT_A + income);
            assertThat(all.getLong(row + "height")).isEqualTo(heights.get(income));
            assertThat(all.getString(row + "event_id")).startsWith(heights.get(income) + "/");
            income++;
        }
        // The rows match the chain's own events at those heights.
        JsonNode txs = chain.rpc("/block_results?height=" + heights.get(0)).path("result").path("txs_results");
        assertThat(txs.toString()).contains("credit.balance_changed").contains(hsmA).contains(Long.toString(AMOUNT_A));

        JsonPath verified = given().get("/api/v1/credit/hsms/" + hsmA.toUpperCase() + "/balance?verified=true").then()
                .statusCode(200).body("source", equalTo("chain-verified")).extract().jsonPath();
        assertThat(verified.getLong("balance")).isEqualTo(sum);
        assertThat(verified.getLong("height")).isGreaterThanOrEqualTo(heights.get(REPORTS_A - 1));
        given().get("/api/v1/credit/hsms/" + hsmA + "/balance").then().statusCode(200).body("source", equalTo("chain"))
                .body("balance", equalTo((int) sum));
        given().get("/api/v1/credit/hsms/" + hsmB + "/balance?verified=true").then().statusCode(200)
                .body("balance", equalTo(50_000));
        // An HSM without an account holds nothing.
        given().get("/api/v1/credit/hsms/" + "cd".repeat(32) + "/balance?verified=true").then().statusCode(200)
                .body("balance", equalTo(0));
        given().get("/api/v1/credit/hsms/" + "cd".repeat(32) + "/balance").then().statusCode(200).body("balance", equalTo(0));
    }

    @Test
    @Order(2)
    void pagesHistoryInChainOrder() throws Exception {
        // A synthetic HSM (heights far above the chain's), so that no attestation round adds rows mid-test.
        String id = "5a".repeat(32);
        List<ChainEvent> events = new ArrayList<>();
        for (int i = 0; i < REPORTS_A; i++) {
            events.add(event(30_000_000 + i, "credit.balance_changed", "hsm", id, "delta", Long.toString(100 + i),
                    "reason", "CREDIT_REASON_ATTESTATION_INCOME", "height", Long.toString(30_000_000 + i)));
        }
        publish(events);
        await("12 synthetic rows", () -> given().get("/api/v1/credit/hsms/" + id + "/history").then().extract().jsonPath()
                .getLong("total") == REPORTS_A ? true : null);
        List<Long> seen = new ArrayList<>();
        for (int page = 0; page < 3; page++) {
            JsonPath p = given().get("/api/v1/credit/hsms/" + id + "/history?size=5&page=" + page).then().statusCode(200)
                    .body("page", equalTo(page)).body("size", equalTo(5)).body("total", equalTo(REPORTS_A))
                    .extract().jsonPath();
            assertThat(p.getList("items")).hasSize(page < 2 ? 5 : 2);
            seen.addAll(p.getList("items.height", Long.class));
        }
        assertThat(seen).doesNotHaveDuplicates().hasSize(REPORTS_A).isSorted().first().isEqualTo(30_000_000L);
        assertThat(given().get("/api/v1/credit/hsms/" + id + "/history?size=5&page=3").then().statusCode(200)
                .extract().jsonPath().getList("items")).isEmpty();
        given().get("/api/v1/credit/hsms/" + id + "/history").then().body("size", equalTo(20))
                .body("items.size()", equalTo(REPORTS_A)).body("items[0].delta", equalTo(100));
        given().get("/api/v1/credit/hsms/" + "ee".repeat(32) + "/history").then().statusCode(200).body("total", equalTo(0));
    }

    @Test
    @Order(3)
    void pushingPastTheTriggerRecordsANormalization() throws Exception {
        long before = given().get("/api/v1/credit/hsms/" + hsmA + "/balance?verified=true").then().extract().jsonPath()
                .getLong("balance");
        long total = before + 50_000 + 1_000_000;
        JsonNode push = commit(report(hsmB, 1_000_000, "ra-b-1"));
        accepted(push);
        long pushed = push.path("height").asLong();
        long interval = ChainAndIndexerResource.INTERVAL;
        long boundary = (pushed + interval - 1) / interval * interval;

        JsonPath n = await("a normalization", () -> {
            JsonPath p = given().get("/api/v1/credit/normalizations").then().statusCode(200).extract().jsonPath();
            return p.getList("items").isEmpty() ? null : p;
        });
        assertThat(n.getList("items")).hasSize(1);
        assertThat(n.getLong("items[0].height")).isEqualTo(boundary);
        assertThat(n.getLong("items[0].old_total")).isEqualTo(total);
        assertThat(n.getLong("items[0].new_total")).isBetween(ChainAndIndexerResource.CAP - 1, ChainAndIndexerResource.CAP);
        assertThat(n.getString("items[0].factor")).isNotBlank();
        assertThat(n.getString("items[0].event_id")).startsWith(boundary + "/");

        // Balances shrink by old/new without per-HSM events: the chain's answer, not a sum of deltas.
        long after = given().get("/api/v1/credit/hsms/" + hsmA + "/balance?verified=true").then().statusCode(200)
                .extract().jsonPath().getLong("balance");
        long expected = before * ChainAndIndexerResource.CAP / total;
        assertThat(after).isBetween(expected - 2, expected + 1);
        assertThat(given().get("/api/v1/credit/hsms/" + hsmA + "/history?size=100").then().extract().jsonPath()
                .getList("items.reason")).filteredOn("CREDIT_REASON_ATTESTATION_INCOME"::equals).hasSize(REPORTS_A);
    }

    @Test
    @Order(4)
    void supplyHistoryAndRankingEqualTheChain() {
        JsonPath supply = given().get("/api/v1/credit/supply?verified=true").then().statusCode(200)
                .body("source", equalTo("chain-verified")).extract().jsonPath();
        long cap = ChainAndIndexerResource.CAP;
        assertThat(supply.getLong("cap")).isEqualTo(cap);
        assertThat(supply.getLong("trigger_bps")).isEqualTo(11_000);
        assertThat(supply.getLong("trigger_total")).isEqualTo(cap * 11 / 10);
        assertThat(supply.getLong("accounts")).isEqualTo(2);
        long chainTotal = supply.getLong("total");
        long hv = supply.getLong("height");
        assertThat(chainTotal).isBetween(cap - 3, cap); // normalized to the cap; a zero burn since may shave a unit
        given().get("/api/v1/credit/supply").then().statusCode(200).body("source", equalTo("chain"))
                .body("cap", equalTo((int) cap));

        // The read model's total at the last change at or before hv is the chain's proven total at hv.
        JsonPath history = await("the read model's supply at " + hv + " equal to the chain's", () -> {
            JsonPath p = given().get("/api/v1/credit/supply/history?to=" + hv + "&size=100").then().statusCode(200)
                    .extract().jsonPath();
            List<Long> totals = p.getList("items.total", Long.class);
            return !totals.isEmpty() && totals.get(totals.size() - 1) == chainTotal ? p : null;
        });
        assertThat(history.getList("items.height", Long.class)).isSorted().doesNotHaveDuplicates()
                .allMatch(h -> h <= hv);
        JsonPath n = given().get("/api/v1/credit/normalizations").then().extract().jsonPath();
        long boundary = n.getLong("items[0].height");
        List<Long> heights = history.getList("items.height", Long.class);
        int at = heights.indexOf(boundary);
        assertThat(at).as("a supply row at the normalization").isNotNegative();
        assertThat(history.getLong("items[" + at + "].total")).isEqualTo(n.getLong("items[0].new_total"));
        assertThat(history.getBoolean("items[" + at + "].normalized")).isTrue();
        // Range and paging over the history.
        given().get("/api/v1/credit/supply/history?from=" + boundary + "&to=" + boundary).then().statusCode(200)
                .body("total", equalTo(1)).body("items[0].height", equalTo((int) boundary));
        given().get("/api/v1/credit/supply/history?to=" + hv + "&size=2&page=1").then().statusCode(200)
                .body("items.size()", equalTo(2)).body("items[0].height", equalTo(heights.get(2).intValue()));

        // The ranking: A and B with the chain's balances, ordered by balance then id.
        long a = given().get("/api/v1/credit/hsms/" + hsmA + "/balance?verified=true").then().extract().jsonPath().getLong("balance");
        long b = given().get("/api/v1/credit/hsms/" + hsmB + "/balance?verified=true").then().extract().jsonPath().getLong("balance");
        JsonPath ranking = await("the ranking with the chain's balances", () -> {
            JsonPath p = given().get("/api/v1/credit/ranking?size=100").then().statusCode(200).extract().jsonPath();
            List<String> ids = p.getList("items.hsm_id");
            int ia = ids.indexOf(hsmA);
            int ib = ids.indexOf(hsmB);
            return ia >= 0 && ib >= 0 && p.getLong("items[" + ia + "].balance") == a && p.getLong("items[" + ib + "].balance") == b
                    ? p : null;
        });
        List<Long> balances = ranking.getList("items.balance", Long.class);
        List<String> ids = ranking.getList("items.hsm_id");
        for (int i = 1; i < balances.size(); i++) {
            assertThat(balances.get(i - 1) > balances.get(i)
                    || (balances.get(i - 1).equals(balances.get(i)) && ids.get(i - 1).compareTo(ids.get(i)) < 0))
                    .as("ranking order at %d", i).isTrue();
        }
        assertThat(ranking.getList("items.rank", Long.class)).isEqualTo(
                java.util.stream.LongStream.rangeClosed(1, balances.size()).boxed().toList());
        assertThat(ids.indexOf(hsmB)).isLessThan(ids.indexOf(hsmA)); // B holds ~8x A's credit
        given().get("/api/v1/credit/ranking?size=1&page=1").then().statusCode(200).body("items[0].rank", equalTo(2))
                .body("items[0].hsm_id", equalTo(ids.get(1))).body("size", equalTo(1));
    }

    @Test
    @Order(5)
    void ignoresRedeliveredEventsAndSkipsMalformedRecords() throws Exception {
        String id = "7e".repeat(32);
        ChainEvent good = event(20_000_000, "credit.balance_changed", "hsm", id, "delta", "-25",
                "reason", "CREDIT_REASON_RA_COST", "height", "20000000");
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(ChainAndIndexerResource.kafka().clientProperties(),
                new StringSerializer(), new ByteArraySerializer())) {
            String topic = ChainAndIndexerResource.TOPICS.credit();
            p.send(new ProducerRecord<>(topic, "hsm:" + id, "{not a record".getBytes(StandardCharsets.UTF_8))).get();
            p.send(new ProducerRecord<>(topic, "hsm:" + id, RecordCodec.encode(event(19_999_999, "credit.balance_changed",
                    "hsm", id, "reason", "CREDIT_REASON_RA_COST", "height", "19999999")))).get(); // no delta
            p.send(new ProducerRecord<>(topic, "hsm:" + id, RecordCodec.encode(good))).get();
            p.send(new ProducerRecord<>(topic, "hsm:" + id, RecordCodec.encode(good))).get(); // redelivery
        }
        await("the duplicate counted", () -> counter("teeledger_credit_events_total{result=\"duplicate\"}") >= 1 ? true : null);
        given().get("/api/v1/credit/hsms/" + id + "/history").then().statusCode(200).body("total", equalTo(1))
                .body("items[0].delta", equalTo(-25)).body("items[0].event_id", equalTo("20000000/0/0"));
        assertThat(counter("teeledger_credit_events_total{result=\"malformed\"}")).isEqualTo(2);
    }

    static Stream<Arguments> malformedRequests() {
        String ok = "ab".repeat(32);
        return Stream.of(
                Arguments.of("GET", "/api/v1/credit/hsms/xyz/history", 400),
                Arguments.of("GET", "/api/v1/credit/hsms/" + ok + "0/history", 400),
                Arguments.of("GET", "/api/v1/credit/hsms/" + "g".repeat(64) + "/balance", 400),
                Arguments.of("GET", "/api/v1/credit/hsms/short/balance?verified=true", 400),
                Arguments.of("GET", "/api/v1/credit/hsms/" + ok + "/balance?verified=yes", 400),
                Arguments.of("GET", "/api/v1/credit/hsms/" + ok + "/history?page=-1", 400),
                Arguments.of("GET", "/api/v1/credit/hsms/" + ok + "/history?page=abc", 400),
                Arguments.of("GET", "/api/v1/credit/hsms/" + ok + "/history?size=0", 400),
                Arguments.of("GET", "/api/v1/credit/hsms/" + ok + "/history?size=101", 400),
                Arguments.of("GET", "/api/v1/credit/hsms/" + ok + "/history?size=99999999999", 400),
                Arguments.of("GET", "/api/v1/credit/hsms/" + ok, 404),
                Arguments.of("GET", "/api/v1/credit/no-such-thing", 404),
                Arguments.of("DELETE", "/api/v1/credit/normalizations", 405),
                Arguments.of("POST", "/api/v1/credit/hsms/" + ok + "/history", 405),
                Arguments.of("GET", "/api/v1/credit/hsms/" + ok + "/history?page=21474837", 400),
                Arguments.of("GET", "/api/v1/credit/hsms/" + ok + "/balance?verified=on", 400),
                Arguments.of("GET", "/api/v1/credit/hsms/" + ok + "/balance?verified=TRUE", 400),
                Arguments.of("DELETE", "/api/v1/credit/hsms/" + ok + "/balance", 405),
                Arguments.of("GET", "/api/v1/credit/supply?verified=1", 400),
                Arguments.of("POST", "/api/v1/credit/supply", 405),
                Arguments.of("GET", "/api/v1/credit/supply/future", 404),
                Arguments.of("GET", "/api/v1/credit/supply/history?from=9&to=3", 400),
                Arguments.of("GET", "/api/v1/credit/supply/history?from=-1", 400),
                Arguments.of("GET", "/api/v1/credit/supply/history?to=tomorrow", 400),
                Arguments.of("GET", "/api/v1/credit/supply/history?from=1.5", 400),
                Arguments.of("GET", "/api/v1/credit/supply/history?size=0", 400),
                Arguments.of("GET", "/api/v1/credit/supply/history?page=x", 400),
                Arguments.of("GET", "/api/v1/credit/ranking?size=101", 400),
                Arguments.of("GET", "/api/v1/credit/ranking?page=-5", 400),
                Arguments.of("GET", "/api/v1/credit/ranking?size=1.5", 400),
                Arguments.of("PUT", "/api/v1/credit/ranking", 405));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @MethodSource("malformedRequests")
    @Order(6)
    void malformedRequestsGetA4xxProblem(String method, String path, int status) {
        given().request(method, path).then().statusCode(status).contentType("application/problem+json")
                .body("status", equalTo(status)).body("type", startsWith("urn:teeledger:problem:"))
                .body("title", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    @Order(7)
    void grpcServesTheSameCreditApiOnTheHttpPort() throws Exception {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", RestAssured.port).usePlaintext().build();
        try {
            CreditServiceGrpc.CreditServiceBlockingStub grpc = CreditServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(60, TimeUnit.SECONDS);
            Balance verified = grpc.getBalance(GetBalanceRequest.newBuilder().setHsmId(hsmA).setVerified(true).build());
            JsonPath rest = given().get("/api/v1/credit/hsms/" + hsmA + "/balance?verified=true").then().extract().jsonPath();
            assertThat(verified.getSource()).isEqualTo("chain-verified");
            assertThat(verified.getBalance()).isEqualTo(rest.getLong("balance"));
            assertThat(verified.getShares()).isEqualTo(rest.getString("shares"));
            assertThat(grpc.getBalance(GetBalanceRequest.newBuilder().setHsmId("cd".repeat(32)).build()).getBalance()).isZero();

            HistoryPage history = grpc.getHistory(GetHistoryRequest.newBuilder().setHsmId("5a".repeat(32)).setSize(5).setPage(2).build());
            assertThat(history.getTotal()).isEqualTo(REPORTS_A);
            assertThat(history.getItemsList()).extracting(BalanceChange::getDelta).containsExactly(110L, 111L);
            assertThat(grpc.getHistory(GetHistoryRequest.newBuilder().setHsmId("5a".repeat(32)).build()).getSize()).isEqualTo(20);

            NormalizationList norms = grpc.listNormalizations(ListNormalizationsRequest.getDefaultInstance());
            assertThat(norms.getItemsCount()).isEqualTo(1);
            assertThat(norms.getItems(0).getNewTotal()).isBetween(ChainAndIndexerResource.CAP - 1, ChainAndIndexerResource.CAP);

            Supply supply = grpc.getSupply(GetSupplyRequest.newBuilder().setVerified(true).build());
            assertThat(supply.getSource()).isEqualTo("chain-verified");
            assertThat(supply.getCap()).isEqualTo(ChainAndIndexerResource.CAP);
            assertThat(supply.getTriggerTotal()).isEqualTo(ChainAndIndexerResource.CAP * 11 / 10);
            SupplyHistory sh = grpc.getSupplyHistory(GetSupplyHistoryRequest.newBuilder().setFrom(norms.getItems(0).getHeight())
                    .setTo(norms.getItems(0).getHeight()).build());
            assertThat(sh.getItemsList()).extracting(SupplyPoint::getTotal).containsExactly(norms.getItems(0).getNewTotal());

            Ranking ranking = grpc.getRanking(GetRankingRequest.newBuilder().setSize(100).build());
            JsonPath restRanking = given().get("/api/v1/credit/ranking?size=100").then().extract().jsonPath();
            assertThat(ranking.getItemsList()).extracting(RankedHsm::getHsmId).isEqualTo(restRanking.getList("items.hsm_id"));
            assertThat(ranking.getItemsList()).extracting(RankedHsm::getBalance)
                    .isEqualTo(restRanking.getList("items.balance", Long.class));

            String ok = "ab".repeat(32);
            assertStatus(() -> grpc.getBalance(GetBalanceRequest.newBuilder().setHsmId("xyz").build()), Status.Code.INVALID_ARGUMENT,
                    "bad-id");
            assertStatus(() -> grpc.getBalance(GetBalanceRequest.getDefaultInstance()), Status.Code.INVALID_ARGUMENT, "bad-id");
            assertStatus(() -> grpc.getHistory(GetHistoryRequest.newBuilder().setHsmId(ok).setPage(-1).build()),
                    Status.Code.INVALID_ARGUMENT, "bad-paging");
            assertStatus(() -> grpc.getHistory(GetHistoryRequest.newBuilder().setHsmId(ok).setSize(101).build()),
                    Status.Code.INVALID_ARGUMENT, "bad-paging");
            assertStatus(() -> grpc.getHistory(GetHistoryRequest.newBuilder().setHsmId(ok + "0").build()),
                    Status.Code.INVALID_ARGUMENT, "bad-id");
            assertStatus(() -> grpc.getSupplyHistory(GetSupplyHistoryRequest.newBuilder().setFrom(9).setTo(3).build()),
                    Status.Code.INVALID_ARGUMENT, "bad-range");
            assertStatus(() -> grpc.getSupplyHistory(GetSupplyHistoryRequest.newBuilder().setFrom(-1).build()),
                    Status.Code.INVALID_ARGUMENT, "bad-range");
            assertStatus(() -> grpc.getRanking(GetRankingRequest.newBuilder().setSize(-3).build()), Status.Code.INVALID_ARGUMENT,
                    "bad-paging");
            assertStatus(() -> grpc.getRanking(GetRankingRequest.newBuilder().setPage(Long.MAX_VALUE).build()),
                    Status.Code.INVALID_ARGUMENT, "bad-paging");
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static void assertStatus(Runnable call, Status.Code code, String problemType) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).as(e.toString()).isEqualTo(code);
            assertThat(e.getTrailers().get(GrpcProblems.PROBLEM_TYPE)).isEqualTo(problemType);
        });
    }

    @Test
    @Order(8)
    void exposesHealthMetricsAndOpenApi() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", org.hamcrest.Matchers.hasItem("chain"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("teeledger_credit_events_total{result=\"applied\"}"));
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body(containsString("/api/v1/credit/hsms/{id}/history")).body(containsString("/api/v1/credit/supply/history"))
                .body(containsString("/api/v1/credit/ranking"));
    }

    // --- helpers ---

    private static byte[] report(String hsm, long amount, String idem) {
        return TxBuilder.forChain(ChainAndIndexerResource.chain().chainId()).type(TxType.TX_TYPE_CREDIT_ACTIVITY_REPORT)
                .payload(ActivityReport.newBuilder().setHsmId(ByteString.copyFrom(HEX.parseHex(hsm)))
                        .setKind(ActivityKind.ACTIVITY_KIND_INCOME).setAmount(amount)
                        .setReason(CreditReason.CREDIT_REASON_ATTESTATION_INCOME)
                        .setIdempotencyKey(ByteString.copyFromUtf8(idem)).build())
                .nonce(reporterNonce++).signer(REPORTER).build();
    }

    private static JsonNode commit(byte[] tx) throws Exception {
        return ChainAndIndexerResource.chain().rpc("/broadcast_tx_commit?tx=0x" + HEX.formatHex(tx)).path("result");
    }

    private static void accepted(JsonNode res) {
        assertThat(res.path("check_tx").path("code").asInt()).as(res.toString()).isZero();
        assertThat(res.path("tx_result").path("code").asInt()).as(res.toString()).isZero();
    }

    private static double counter(String series) {
        for (String line : given().get("/q/metrics").then().statusCode(200).extract().asString().split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return 0;
    }

    private static <T> T await(String what, Supplier<T> probe) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            T v = probe.get();
            if (v != null) {
                return v;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static void publish(List<ChainEvent> events) throws Exception {
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(ChainAndIndexerResource.kafka().clientProperties(),
                new StringSerializer(), new ByteArraySerializer())) {
            for (ChainEvent e : events) {
                p.send(new ProducerRecord<>(ChainAndIndexerResource.TOPICS.credit(), e.key(), RecordCodec.encode(e))).get();
            }
        }
    }

    private static byte[] filled(int v) {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) v);
        return b;
    }

    private static ChainEvent event(long height, String type, String... attrs) {
        List<ChainEvent.Attribute> list = new ArrayList<>();
        for (int i = 0; i < attrs.length; i += 2) {
            list.add(new ChainEvent.Attribute(attrs[i], attrs[i + 1]));
        }
        return new ChainEvent(new EventId(height, 0, 0), "credit-svc-it", Instant.parse("2026-11-28T20:00:00Z"),
                "00".repeat(32), type, "hsm:" + attrs[1], list);
    }
}
