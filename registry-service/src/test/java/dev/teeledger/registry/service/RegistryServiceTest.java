package dev.teeledger.registry.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import com.google.protobuf.ByteString;
import dev.teeledger.indexer.ChainEvent;
import dev.teeledger.indexer.EventId;
import dev.teeledger.indexer.RecordCodec;
import dev.teeledger.protocol.tx.TxBuilder;
import dev.teeledger.protocol.tx.v1.FirmwareApprove;
import dev.teeledger.protocol.tx.v1.ManufacturerAdd;
import dev.teeledger.protocol.tx.v1.ParamChange;
import dev.teeledger.protocol.tx.v1.ParamValue;
import dev.teeledger.protocol.tx.v1.TxType;
import dev.teeledger.registry.service.v1.Firmware;
import dev.teeledger.registry.service.v1.GetRequest;
import dev.teeledger.registry.service.v1.GetTransactionRequest;
import dev.teeledger.registry.service.v1.Hsm;
import dev.teeledger.registry.service.v1.HsmPage;
import dev.teeledger.registry.service.v1.ListFirmwareRequest;
import dev.teeledger.registry.service.v1.ListHsmsRequest;
import dev.teeledger.registry.service.v1.ListManufacturersRequest;
import dev.teeledger.registry.service.v1.Manufacturer;
import dev.teeledger.registry.service.v1.ManufacturerList;
import dev.teeledger.registry.service.v1.RegistryServiceGrpc;
import dev.teeledger.registry.service.v1.Submission;
import dev.teeledger.registry.service.v1.SubmitTransactionRequest;
import dev.teeledger.service.common.GrpcProblems;
import dev.teeledger.testkit.cometbft.LocalChain;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.restassured.RestAssured;
import java.util.concurrent.TimeUnit;
import dev.teeledger.testkit.fixtures.TestManufacturerCa;
import dev.teeledger.testkit.postgres.PostgresTestResource;
import dev.teeledger.testkit.services.ChainAndIndexerResource;
import dev.teeledger.testkit.swtpm.JoinTransactions;
import dev.teeledger.testkit.swtpm.ProvisionedTpm;
import dev.teeledger.testkit.swtpm.SwtpmFixture;
import dev.teeledger.testkit.swtpm.SwtpmFixture.AkAlgorithm;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The service against the real pipeline: chain → indexer → Kafka → consumer → PostgreSQL →
 * REST. Governance transactions are submitted through the service's own write endpoint and
 * tracked to commit; the read models must then show them, and verified reads must agree.
 * HSM paging, filters and duplicate delivery are driven with synthetic registry records on the
 * same topic (ids far above the chain's heights); one real swtpm HSM joins through the service.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(value = ChainAndIndexerResource.class, initArgs = @ResourceArg(name = "chain-id", value = "registry-svc-it"))
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegistryServiceTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final String MFR_A = "aa".repeat(32);
    private static final String MFR_B = "bb".repeat(32);
    /** Governance nonce: advanced by every accepted governance tx of this class, in order. */
    private static long nonce;
    private static String manufacturerId;
    private static String firmwareSha;

    @Test
    @Order(1)
    void submitsManufacturerAddTracksItToCommitAndFillsTheReadModel() throws Exception {
        LocalChain chain = ChainAndIndexerResource.chain();
        TestManufacturerCa ca = TestManufacturerCa.create("Registry service CA");
        byte[] tx = gov(TxType.TX_TYPE_MANUFACTURER_ADD, ManufacturerAdd.newBuilder().setName("Service maker")
                .setRootCertificate(ByteString.copyFrom(ca.rootCertificate())).build());
        String hash = HEX.withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(tx));

        Response accepted = given().contentType(ContentType.JSON)
                .body(Map.of("tx", Base64.getEncoder().encodeToString(tx))).post("/api/v1/transactions");
        accepted.then().statusCode(202).header("Location", org.hamcrest.Matchers.endsWith("/api/v1/transactions/" + hash))
                .body("hash", equalTo(hash)).body("status", equalTo("PENDING")).body("type", equalTo("manufacturer_add"));
        JsonPath committed = awaitCommitted(hash);
        assertThat(committed.getInt("code")).isZero();
        long height = committed.getLong("height");
        assertThat(height).isPositive();

        // Re-submitting the same bytes is idempotent: same tracking resource, no second broadcast.
        given().contentType(ContentType.JSON).body(Map.of("tx", Base64.getEncoder().encodeToString(tx)))
                .post("/api/v1/transactions").then().statusCode(202).body("status", equalTo("COMMITTED"));

        JsonPath list = await("manufacturer in the read model", () -> {
            JsonPath p = given().get("/api/v1/manufacturers").then().statusCode(200).extract().jsonPath();
            return p.getList("items").isEmpty() ? null : p;
        });
        manufacturerId = list.getString("items[0].id");
        assertThat(list.getString("items[0].name")).isEqualTo("Service maker");
        assertThat(list.getString("items[0].status")).isEqualTo("ACTIVE");
        assertThat(list.getLong("items[0].added_height")).isEqualTo(height);
        assertThat(list.getString("items[0].subject")).contains("Registry service CA");

        JsonPath one = given().get("/api/v1/manufacturers/" + manufacturerId).then().statusCode(200)
                .body("source", equalTo("read-model")).extract().jsonPath();
        JsonPath proven = given().get("/api/v1/manufacturers/" + manufacturerId.toUpperCase() + "?verified=true")
                .then().statusCode(200).body("source", equalTo("chain")).extract().jsonPath();
        for (String field : List.of("id", "name", "subject", "status", "added_height")) {
            assertThat(proven.getString(field)).as(field).isEqualTo(one.getString(field));
        }
        assertThat(proven.getLong("verified_height")).isGreaterThanOrEqualTo(height);
        assertThat(chain.height()).isGreaterThanOrEqualTo(height);
    }

    @Test
    @Order(2)
    void approvedFirmwareAppearsAndExpiresAtItsEndHeight() throws Exception {
        LocalChain chain = ChainAndIndexerResource.chain();
        long h = chain.height();
        byte[] sha = MessageDigest.getInstance("SHA-256").digest("system-wasm 1.0.0".getBytes(StandardCharsets.UTF_8));
        firmwareSha = HEX.formatHex(sha);
        byte[] tx = gov(TxType.TX_TYPE_FIRMWARE_APPROVE, FirmwareApprove.newBuilder().setComponent("system-wasm")
                .setVersion("1.0.0").setSha256(ByteString.copyFrom(sha)).setValidFromHeight(h + 5).setValidUntilHeight(h + 8).build());
        // Raw bytes this time.
        String hash = given().contentType("application/octet-stream").body(tx).post("/api/v1/transactions")
                .then().statusCode(202).extract().path("hash");
        long height = awaitCommitted(hash).getLong("height");

        JsonPath expired = await("firmware expired in the read model", () -> {
            Response r = given().get("/api/v1/firmware/" + firmwareSha);
            return r.statusCode() == 200 && r.jsonPath().get("expired_height") != null ? r.jsonPath() : null;
        });
        assertThat(expired.getString("component")).isEqualTo("system-wasm");
        assertThat(expired.getString("version")).isEqualTo("1.0.0");
        assertThat(expired.getLong("valid_from_height")).isEqualTo(h + 5);
        assertThat(expired.getLong("valid_until_height")).isEqualTo(h + 8);
        assertThat(expired.getLong("approved_height")).isEqualTo(height);
        assertThat(expired.getLong("expired_height")).isEqualTo(h + 8);

        given().get("/api/v1/firmware").then().statusCode(200).body("items.sha256", org.hamcrest.Matchers.contains(firmwareSha))
                .body("indexed_height", org.hamcrest.Matchers.greaterThanOrEqualTo((int) (h + 8)));
        given().get("/api/v1/firmware/" + firmwareSha + "?verified=true").then().statusCode(200)
                .body("source", equalTo("chain")).body("approved_height", equalTo((int) height))
                .body("valid_until_height", equalTo((int) (h + 8)));
    }

    @Test
    @Order(3)
    void aTransactionRefusedInCheckTxIsA422ProblemAndTrackedAsRejected() throws Exception {
        byte[] stale = TxBuilder.forChain(ChainAndIndexerResource.chain().chainId()).type(TxType.TX_TYPE_GOV_PARAM_CHANGE)
                .payload(ParamChange.newBuilder().addChanges(ParamValue.newBuilder().setName("tx.max_signers").setValue("10")).build())
                .nonce(0).signers(ChainAndIndexerResource.GOV.first(2)).build(); // nonce 0 was used
        String hash = HEX.withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(stale));
        given().contentType("application/octet-stream").body(stale).post("/api/v1/transactions").then()
                .statusCode(422).contentType("application/problem+json")
                .body("type", equalTo("urn:teeledger:problem:transaction-rejected"))
                .body("code", equalTo(11)).body("hash", equalTo(hash));
        given().get("/api/v1/transactions/" + hash.toLowerCase()).then().statusCode(200)
                .body("status", equalTo("REJECTED")).body("code", equalTo(11));
    }

    @Test
    @Order(4)
    void verifiedReadOfAnAbsentKeyIs404() {
        String absent = "cd".repeat(32);
        for (String path : List.of("manufacturers", "hsms", "firmware")) {
            given().get("/api/v1/" + path + "/" + absent + "?verified=true").then().statusCode(404)
                    .contentType("application/problem+json").body("type", equalTo("urn:teeledger:problem:not-found"));
        }
    }

    @Test
    @Order(5)
    void pagesAndFiltersHsmsAndIgnoresRedeliveredEvents() throws Exception {
        // 25 HSMs: ids 0x01.., manufacturer A for even i, B for odd; 5 of them moved to ACTIVE.
        List<ChainEvent> events = new ArrayList<>();
        long base = 10_000_000;
        for (int i = 1; i <= 25; i++) {
            String id = hsmId(i);
            events.add(event(base + i, 0, "hsm.joined", "hsm:" + id, "hsm_id", id, "manufacturer_id", i % 2 == 0 ? MFR_A : MFR_B,
                    "state", "HSM_STATE_PENDING", "endpoint", "https://hsm-" + i + ".example:8443"));
        }
        for (int i = 1; i <= 5; i++) {
            events.add(event(base + 100 + i, 0, "hsm.state_changed", "hsm:" + hsmId(i), "hsm_id", hsmId(i), "from",
                    "HSM_STATE_PENDING", "to", "HSM_STATE_ACTIVE", "height", Long.toString(base + 100 + i), "reason", "round passed"));
        }
        events.add(event(base + 200, 0, "hsm.firmware_recorded", "hsm:" + hsmId(1), "hsm_id", hsmId(1), "sha256s",
                firmwareSha + "," + "ef".repeat(32), "height", Long.toString(base + 200)));
        // Redelivery of every join (at least once): must not reset the five ACTIVE HSMs to PENDING.
        events.addAll(events.subList(0, 25));
        publish(events);

        await("25 HSMs, 5 active, firmware recorded", () -> {
            JsonPath p = given().get("/api/v1/hsms?state=active").then().statusCode(200).extract().jsonPath();
            JsonPath one = given().get("/api/v1/hsms/" + hsmId(1)).then().extract().jsonPath();
            return p.getLong("total") == 5 && one.getList("firmware") != null && one.getList("firmware").size() == 2 ? p : null;
        });
        // Wait until the 25 redelivered joins are consumed too (they follow in the same partitions).
        await("25 duplicates counted", () -> duplicates() >= 25 ? true : null);
        given().get("/api/v1/hsms?state=ACTIVE").then().body("total", equalTo(5));

        JsonPath first = given().get("/api/v1/hsms?size=10").then().statusCode(200).extract().jsonPath();
        assertThat(first.getLong("total")).isEqualTo(25);
        assertThat(first.getList("items.id")).hasSize(10).isSorted();
        JsonPath last = given().get("/api/v1/hsms?size=10&page=2").then().statusCode(200).extract().jsonPath();
        assertThat(last.getList("items.id")).hasSize(5).isSorted();
        assertThat(last.getInt("page")).isEqualTo(2);
        assertThat(given().get("/api/v1/hsms?size=10&page=3").then().statusCode(200).extract().jsonPath().getList("items")).isEmpty();
        List<String> all = new ArrayList<>();
        for (int page = 0; page < 3; page++) {
            all.addAll(given().get("/api/v1/hsms?size=10&page=" + page).then().extract().jsonPath().getList("items.id"));
        }
        assertThat(all).doesNotHaveDuplicates().hasSize(25).isSorted();

        given().get("/api/v1/hsms?manufacturer=" + MFR_A.toUpperCase()).then().statusCode(200).body("total", equalTo(12))
                .body("size", equalTo(20)).body("items.manufacturer_id", org.hamcrest.Matchers.everyItem(equalTo(MFR_A)));
        given().get("/api/v1/hsms?manufacturer=" + MFR_B + "&state=ACTIVE").then().statusCode(200).body("total", equalTo(3));
        given().get("/api/v1/hsms?state=REVOKED").then().statusCode(200).body("total", equalTo(0));
        given().get("/api/v1/hsms/" + hsmId(1)).then().statusCode(200).body("state", equalTo("ACTIVE"))
                .body("state_reason", equalTo("round passed")).body("endpoint", equalTo("https://hsm-1.example:8443"))
                .body("firmware", org.hamcrest.Matchers.contains(firmwareSha, "ef".repeat(32)));
        given().get("/api/v1/hsms/" + hsmId(6)).then().statusCode(200).body("state", equalTo("PENDING"))
                .body("manufacturer_id", equalTo(MFR_A));
    }

    static Stream<Arguments> malformedRequests() {
        String ok = "ab".repeat(32);
        return Stream.of(
                Arguments.of("GET", "/api/v1/manufacturers/xyz", null, null, 400),
                Arguments.of("GET", "/api/v1/manufacturers/" + ok, null, null, 404),
                Arguments.of("GET", "/api/v1/manufacturers/" + ok + "0", null, null, 400),
                Arguments.of("GET", "/api/v1/hsms/" + ok, null, null, 404),
                Arguments.of("GET", "/api/v1/hsms/" + "g".repeat(64), null, null, 400),
                Arguments.of("GET", "/api/v1/firmware/" + ok, null, null, 404),
                Arguments.of("GET", "/api/v1/firmware/short", null, null, 400),
                Arguments.of("GET", "/api/v1/firmware/" + ok + "?verified=yes", null, null, 400),
                Arguments.of("GET", "/api/v1/hsms?page=-1", null, null, 400),
                Arguments.of("GET", "/api/v1/hsms?page=abc", null, null, 400),
                Arguments.of("GET", "/api/v1/hsms?size=0", null, null, 400),
                Arguments.of("GET", "/api/v1/hsms?size=101", null, null, 400),
                Arguments.of("GET", "/api/v1/hsms?size=99999999999", null, null, 400),
                Arguments.of("GET", "/api/v1/hsms?state=BROKEN", null, null, 400),
                Arguments.of("GET", "/api/v1/hsms?manufacturer=acme", null, null, 400),
                Arguments.of("GET", "/api/v1/no-such-thing", null, null, 404),
                Arguments.of("DELETE", "/api/v1/manufacturers", null, null, 405),
                Arguments.of("GET", "/api/v1/transactions/" + ok, null, null, 404),
                Arguments.of("GET", "/api/v1/transactions/nothex", null, null, 400),
                Arguments.of("POST", "/api/v1/transactions", "application/json", "{not json", 400),
                Arguments.of("POST", "/api/v1/transactions", "application/json", "[1,2,3]", 400),
                Arguments.of("POST", "/api/v1/transactions", "application/json", "{\"tx\": 12}", 400),
                Arguments.of("POST", "/api/v1/transactions", "application/json", "{}", 400),
                Arguments.of("POST", "/api/v1/transactions", "application/json", "{\"tx\": \"***\"}", 400),
                Arguments.of("POST", "/api/v1/transactions", "application/json", "{\"tx\": \"AAAA\"}", 400),
                Arguments.of("POST", "/api/v1/transactions", "application/octet-stream", "", 400),
                Arguments.of("POST", "/api/v1/transactions", "application/octet-stream", "random garbage bytes", 400),
                Arguments.of("POST", "/api/v1/transactions", "text/plain", "hello", 415),
                // Above quarkus.http.limits.max-body-size (256K): refused before the body is read.
                Arguments.of("POST", "/api/v1/transactions", "application/octet-stream", "x".repeat(256 * 1024 + 1), 413),
                Arguments.of("POST", "/api/v1/transactions", "application/json", "{\"tx\":\"" + "A".repeat(300_000) + "\"}", 413));
    }

    @ParameterizedTest(name = "{0} {1} [{2}] -> {4}")
    @MethodSource("malformedRequests")
    @Order(6)
    void malformedRequestsGetA4xxProblem(String method, String path, String type, String body, int status) {
        var spec = given();
        if (type != null) {
            spec = spec.contentType(type).body(body.getBytes(StandardCharsets.UTF_8));
        }
        spec.request(method, path).then().statusCode(status).contentType("application/problem+json")
                .body("status", equalTo(status)).body("type", startsWith("urn:teeledger:problem:"))
                .body("title", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    @Order(7)
    void wrongSignatureIsRefusedBeforeBroadcast() {
        byte[] forged = TxBuilder.forChain("another-chain").type(TxType.TX_TYPE_GOV_PARAM_CHANGE)
                .payload(ParamChange.newBuilder().addChanges(ParamValue.newBuilder().setName("tx.max_signers").setValue("10")).build())
                .nonce(nonce).signers(ChainAndIndexerResource.GOV.first(2)).build();
        given().contentType("application/octet-stream").body(forged).post("/api/v1/transactions").then()
                .statusCode(422).contentType("application/problem+json")
                .body("type", equalTo("urn:teeledger:problem:invalid-signature"));
    }

    @Test
    @Order(8)
    void exposesHealthMetricsAndOpenApi() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", org.hamcrest.Matchers.hasItem("chain"))
                .body("checks.size()", org.hamcrest.Matchers.greaterThanOrEqualTo(3)); // chain, database, Kafka
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/swagger-ui/").then().statusCode(200);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("teeledger_submissions_total{result=\"accepted\",type=\"manufacturer_add\"}")
                .contains("teeledger_submissions_total{result=\"rejected\",type=\"gov_param_change\"}")
                .contains("teeledger_submissions_total{result=\"malformed\",type=\"unknown\"}")
                .contains("teeledger_registry_events_total{result=\"duplicate\"}");
        given().get("/q/openapi?format=json").then().statusCode(200).body(containsString("/api/v1/hsms"));
    }

    @Test
    @Order(9)
    void aRealSwtpmHsmJoinsThroughTheServiceAndAppearsInTheReadModel() throws Exception {
        try (SwtpmFixture tpms = SwtpmFixture.start(AkAlgorithm.RSA)) {
            byte[] root = tpms.rootCertificate();
            String mid = HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(
                    java.security.cert.CertificateFactory.getInstance("X.509")
                            .generateCertificate(new java.io.ByteArrayInputStream(root)).getPublicKey().getEncoded()));
            String addHash = given().contentType("application/octet-stream").body(gov(TxType.TX_TYPE_MANUFACTURER_ADD,
                    ManufacturerAdd.newBuilder().setName("swtpm localca").setRootCertificate(ByteString.copyFrom(root)).build()))
                    .post("/api/v1/transactions").then().statusCode(202).extract().path("hash");
            awaitCommitted(addHash);

            ProvisionedTpm tpm = tpms.tpm(0);
            String hsmId = HEX.formatHex(JoinTransactions.hsmId(tpm));
            byte[] join = JoinTransactions.join(ChainAndIndexerResource.chain().chainId(), tpm);
            String joinHash = given().contentType(ContentType.JSON).body(Map.of("tx", Base64.getEncoder().encodeToString(join)))
                    .post("/api/v1/transactions").then().statusCode(202).body("type", equalTo("hsm_join")).extract().path("hash");
            long height = awaitCommitted(joinHash).getLong("height");

            JsonPath hsm = await("joined HSM in the read model", () -> {
                Response r = given().get("/api/v1/hsms/" + hsmId);
                return r.statusCode() == 200 ? r.jsonPath() : null;
            });
            assertThat(hsm.getString("manufacturer_id")).isEqualTo(mid);
            assertThat(hsm.getString("state")).isEqualTo("PENDING");
            assertThat(hsm.getLong("joined_height")).isEqualTo(height);
            given().get("/api/v1/hsms/" + hsmId + "?verified=true").then().statusCode(200).body("source", equalTo("chain"))
                    .body("manufacturer_id", equalTo(mid)).body("state", equalTo("PENDING"))
                    .body("endpoint", equalTo(hsm.getString("endpoint"))).body("joined_height", equalTo((int) height))
                    .body("state_reason", equalTo("joined"));
            assertThat(hsm.getString("state_reason")).isEqualTo("joined");
            given().get("/api/v1/hsms?manufacturer=" + mid).then().statusCode(200).body("total", equalTo(1))
                    .body("items[0].id", equalTo(hsmId));
            given().get("/api/v1/manufacturers/" + mid).then().statusCode(200).body("name", equalTo("swtpm localca"));
        }
    }

    @Test
    @Order(10)
    void skipsUndecodableAndIncompleteRecordsAndKeepsConsuming() throws Exception {
        double malformedBefore = counter("teeledger_registry_events_total{result=\"malformed\"}");
        String id = "7e".repeat(32);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(ChainAndIndexerResource.kafka().clientProperties(),
                new StringSerializer(), new ByteArraySerializer())) {
            String topic = ChainAndIndexerResource.TOPICS.registry();
            // Same key as the good event below, so all three are in one partition, in this order.
            p.send(new ProducerRecord<>(topic, "hsm:" + id, "{not a record".getBytes(StandardCharsets.UTF_8))).get();
            p.send(new ProducerRecord<>(topic, "hsm:" + id, RecordCodec.encode(event(20_000_000, 0, "hsm.joined", "hsm:" + id,
                    "hsm_id", id, "state", "HSM_STATE_PENDING", "endpoint", "https://x.example")))).get(); // no manufacturer_id
            p.send(new ProducerRecord<>(topic, "hsm:" + id, RecordCodec.encode(event(20_000_001, 0, "hsm.joined", "hsm:" + id,
                    "hsm_id", id, "manufacturer_id", MFR_A, "state", "HSM_STATE_PENDING", "endpoint", "https://x.example")))).get();
        }
        await("the good record after two bad ones", () -> given().get("/api/v1/hsms/" + id).statusCode() == 200 ? true : null);
        given().get("/api/v1/hsms/" + id).then().body("joined_height", equalTo(20_000_001));
        assertThat(counter("teeledger_registry_events_total{result=\"malformed\"}")).isEqualTo(malformedBefore + 2);
    }

    @Test
    @Order(11)
    void grpcServesTheSameRegistryOnTheHttpPort() throws Exception {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", RestAssured.port).usePlaintext().build();
        try {
            RegistryServiceGrpc.RegistryServiceBlockingStub grpc = RegistryServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(60, TimeUnit.SECONDS);
            // Reads agree with REST.
            ManufacturerList mfrs = grpc.listManufacturers(ListManufacturersRequest.getDefaultInstance());
            assertThat(mfrs.getItemsList()).extracting(Manufacturer::getId).contains(manufacturerId);
            Manufacturer m = grpc.getManufacturer(GetRequest.newBuilder().setId(manufacturerId.toUpperCase()).build());
            assertThat(m.getName()).isEqualTo("Service maker");
            assertThat(m.getSource()).isEqualTo("read-model");
            Manufacturer mv = grpc.getManufacturer(GetRequest.newBuilder().setId(manufacturerId).setVerified(true).build());
            assertThat(mv.getSource()).isEqualTo("chain");
            assertThat(mv.getVerifiedHeight()).isPositive();
            HsmPage page = grpc.listHsms(ListHsmsRequest.newBuilder().setManufacturer(MFR_A).setSize(5).setPage(1).build());
            JsonPath rest = given().get("/api/v1/hsms?manufacturer=" + MFR_A + "&size=5&page=1").then().extract().jsonPath();
            assertThat(page.getItemsList()).extracting(Hsm::getId).isEqualTo(rest.getList("items.id"));
            assertThat(page.getTotal()).isEqualTo(rest.getLong("total"));
            assertThat(page.getSize()).isEqualTo(5);
            assertThat(grpc.listHsms(ListHsmsRequest.newBuilder().setState("active").build()).getItemsList())
                    .allMatch(h -> h.getState().equals("ACTIVE"));
            Hsm one = grpc.getHsm(GetRequest.newBuilder().setId(page.getItems(0).getId()).build());
            assertThat(one.getManufacturerId()).isEqualTo(MFR_A);
            assertThat(grpc.listFirmware(ListFirmwareRequest.getDefaultInstance()).getItemsList()).extracting(Firmware::getSha256)
                    .contains(firmwareSha);

            // A transaction submitted over gRPC is tracked to COMMITTED and lands in the read model.
            TestManufacturerCa ca = TestManufacturerCa.create("gRPC CA");
            byte[] tx = gov(TxType.TX_TYPE_MANUFACTURER_ADD, ManufacturerAdd.newBuilder().setName("gRPC maker")
                    .setRootCertificate(ByteString.copyFrom(ca.rootCertificate())).build());
            Submission sub = grpc.submitTransaction(SubmitTransactionRequest.newBuilder().setTx(ByteString.copyFrom(tx)).build());
            assertThat(sub.getStatus()).isEqualTo("PENDING");
            assertThat(sub.getType()).isEqualTo("manufacturer_add");
            Submission done = await("gRPC-submitted tx committed", () -> {
                Submission s = grpc.getTransaction(GetTransactionRequest.newBuilder().setHash(sub.getHash()).build());
                return s.getStatus().equals("COMMITTED") ? s : null;
            });
            assertThat(done.getHasCode()).isTrue();
            assertThat(done.getCode()).isZero();
            assertThat(done.getHeight()).isPositive();
            await("gRPC maker in the read model", () -> grpc.listManufacturers(ListManufacturersRequest.getDefaultInstance())
                    .getItemsList().stream().anyMatch(x -> x.getName().equals("gRPC maker")) ? true : null);

            // Bad arguments and unknown ids get the mapped status codes, with the problem type as a trailer.
            String ok = "ab".repeat(32);
            assertStatus(() -> grpc.getManufacturer(GetRequest.newBuilder().setId("xyz").build()), Status.Code.INVALID_ARGUMENT, "bad-id");
            assertStatus(() -> grpc.getManufacturer(GetRequest.newBuilder().setId(ok).build()), Status.Code.NOT_FOUND, "not-found");
            assertStatus(() -> grpc.getHsm(GetRequest.newBuilder().build()), Status.Code.INVALID_ARGUMENT, "bad-id");
            assertStatus(() -> grpc.getHsm(GetRequest.newBuilder().setId(ok).setVerified(true).build()), Status.Code.NOT_FOUND,
                    "not-found");
            assertStatus(() -> grpc.listHsms(ListHsmsRequest.newBuilder().setSize(101).build()), Status.Code.INVALID_ARGUMENT,
                    "bad-paging");
            assertStatus(() -> grpc.listHsms(ListHsmsRequest.newBuilder().setPage(-1).build()), Status.Code.INVALID_ARGUMENT,
                    "bad-paging");
            assertStatus(() -> grpc.listHsms(ListHsmsRequest.newBuilder().setState("BROKEN").build()), Status.Code.INVALID_ARGUMENT,
                    "bad-filter");
            assertStatus(() -> grpc.listHsms(ListHsmsRequest.newBuilder().setManufacturer("acme").build()),
                    Status.Code.INVALID_ARGUMENT, "bad-id");
            assertStatus(() -> grpc.submitTransaction(SubmitTransactionRequest.getDefaultInstance()), Status.Code.INVALID_ARGUMENT,
                    "malformed-transaction");
            assertStatus(() -> grpc.submitTransaction(SubmitTransactionRequest.newBuilder()
                    .setTx(ByteString.copyFromUtf8("random garbage bytes")).build()), Status.Code.INVALID_ARGUMENT, "malformed-transaction");
            byte[] forged = TxBuilder.forChain("another-chain").type(TxType.TX_TYPE_GOV_PARAM_CHANGE)
                    .payload(ParamChange.newBuilder().addChanges(ParamValue.newBuilder().setName("tx.max_signers").setValue("10")).build())
                    .nonce(nonce).signers(ChainAndIndexerResource.GOV.first(2)).build();
            assertStatus(() -> grpc.submitTransaction(SubmitTransactionRequest.newBuilder().setTx(ByteString.copyFrom(forged)).build()),
                    Status.Code.FAILED_PRECONDITION, "invalid-signature");
            assertStatus(() -> grpc.getTransaction(GetTransactionRequest.newBuilder().setHash("nothex").build()),
                    Status.Code.INVALID_ARGUMENT, "bad-id");
            assertStatus(() -> grpc.getTransaction(GetTransactionRequest.newBuilder().setHash(ok).build()), Status.Code.NOT_FOUND,
                    "not-found");
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

    // --- helpers ---

    private static double duplicates() {
        return counter("teeledger_registry_events_total{result=\"duplicate\"}");
    }

    /** A counter's value in /q/metrics, 0 when absent. */
    private static double counter(String series) {
        for (String line : given().get("/q/metrics").then().statusCode(200).extract().asString().split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return 0;
    }

    private static byte[] gov(TxType type, com.google.protobuf.Message payload) {
        return TxBuilder.forChain(ChainAndIndexerResource.chain().chainId()).type(type).payload(payload)
                .nonce(nonce++).signers(ChainAndIndexerResource.GOV.first(2)).build();
    }

    private static JsonPath awaitCommitted(String hash) {
        return await("transaction " + hash + " committed", () -> {
            JsonPath p = given().get("/api/v1/transactions/" + hash).then().statusCode(200).extract().jsonPath();
            assertThat(p.getString("status")).isNotEqualTo("REJECTED");
            return p.getString("status").equals("COMMITTED") ? p : null;
        });
    }

    private static <T> T await(String what, Supplier<T> probe) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
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

    private static String hsmId(int i) {
        return String.format("%02x", i).repeat(32);
    }

    private static ChainEvent event(long height, int index, String type, String key, String... attrs) {
        List<ChainEvent.Attribute> list = new ArrayList<>();
        for (int i = 0; i < attrs.length; i += 2) {
            list.add(new ChainEvent.Attribute(attrs[i], attrs[i + 1]));
        }
        return new ChainEvent(new EventId(height, 0, index), "registry-svc-it", Instant.parse("2026-11-28T20:00:00Z"),
                "00".repeat(32), type, key, list);
    }

    private static void publish(List<ChainEvent> events) throws Exception {
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(ChainAndIndexerResource.kafka().clientProperties(),
                new StringSerializer(), new ByteArraySerializer())) {
            for (ChainEvent e : events) {
                p.send(new ProducerRecord<>(ChainAndIndexerResource.TOPICS.registry(), e.key(), RecordCodec.encode(e))).get();
            }
        }
    }
}
