package dev.teeledger.attestation.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.teeledger.attestation.service.grpc.AttestationQueryGrpc;
import dev.teeledger.attestation.service.grpc.GetRoundRequest;
import dev.teeledger.attestation.service.grpc.GetVerifierStatsRequest;
import dev.teeledger.attestation.service.grpc.ListRoundsRequest;
import dev.teeledger.attestation.service.grpc.ListVotesRequest;
import dev.teeledger.indexer.ChainEvent;
import dev.teeledger.indexer.EventId;
import dev.teeledger.indexer.RecordCodec;
import dev.teeledger.testkit.postgres.PostgresTestResource;
import dev.teeledger.testkit.services.ChainAndIndexerResource;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The service against the real pipeline with real rounds: swtpm HSMs join a real chain, four
 * are bootstrapped as verifiers, two testees are attested by honest votes ({@link RoundDriver});
 * the indexer publishes to Kafka, the service builds its read models, and REST, gRPC, verified
 * reads and the dashboard (in headless Chromium) must show those rounds. Paging, filters,
 * redelivery and malformed records are then driven with synthetic records on the same topics
 * (heights and round ids far above the chain's).
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
// Attestation parameters for real rounds (as AttestationChainIT): blocks come every ~0.3 s and an
// honest check runs several tpm2-tools commands, so the window is long; no periodic rounds; a
// committee large enough that every active verifier is selected.
@WithTestResource(value = ChainAndIndexerResource.class, initArgs = {
        @ResourceArg(name = "chain-id", value = "attestation-svc-it"),
        @ResourceArg(name = "params", value = "attestation.window=40,attestation.period=100000,"
                + "attestation.committee_size=16,attestation.quorum_bps=1500,attestation.max_retries=5,"
                + "attestation.absence_tolerance=1000")})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AttestationServiceTest {
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String SYNTH_TESTEE = "5a".repeat(32);
    private static final String SYNTH_VOTER = "5b".repeat(32);
    private static final long SYNTH_ROUND = 900_000_000L;
    private static RoundDriver driver;
    private static WebDriver browser;
    private static long heightBeforeClose;

    @AfterAll
    static void tearDown() {
        if (browser != null) {
            browser.quit();
        }
        if (driver != null) {
            driver.close();
        }
    }

    @Test
    @Order(1)
    void joinedTesteesGetOpenRoundsInTheReadModel() throws Exception {
        driver = new RoundDriver(ChainAndIndexerResource.chain(), 4, 2);
        driver.setUp();
        for (int t = 4; t < 6; t++) {
            String testee = driver.id(t);
            JsonPath open = await("open round of testee " + t, () -> {
                JsonPath p = given().get("/api/v1/rounds?state=open&testee=" + testee).then().statusCode(200).extract().jsonPath();
                return p.getLong("total") >= 1 ? p : null;
            }, 60);
            assertThat(open.getString("items[0].kind")).isEqualTo("JOIN");
            assertThat(open.getString("items[0].state")).isEqualTo("OPEN");
            assertThat(open.getLong("items[0].deadline_height")).isGreaterThan(open.getLong("items[0].opened_height"));
        }
    }

    @Test
    @Order(2)
    void dashboardListsTheHsmsAndTheOpenRounds() throws Exception {
        assertThat(Files.isExecutable(CHROMEDRIVER)).as("Debian chromium-driver is installed (scripts/install-deps.sh)").isTrue();
        ChromeOptions options = new ChromeOptions();
        Path binary = Files.isExecutable(Path.of("/usr/lib/chromium/chromium")) ? Path.of("/usr/lib/chromium/chromium")
                : Path.of("/usr/bin/chromium");
        options.setBinary(binary.toString());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.get("http://localhost:" + RestAssured.port + "/dashboard/");
        WebDriverWait wait = pageWait();
        // Read in one script: the page replaces its rows on every update, so element handles go stale.
        List<String> shown = wait.until(b -> {
            @SuppressWarnings("unchecked")
            List<String> ids = (List<String>) ((JavascriptExecutor) b).executeScript(
                    "return Array.from(document.querySelectorAll('#hsms tbody tr')).map(function (r) { return r.dataset.id; });");
            return ids.size() == 6 ? ids : null;
        });
        for (int i = 0; i < 6; i++) {
            assertThat(shown).contains(driver.id(i));
        }
        assertThat(browser.findElement(By.cssSelector("#hsms")).getText()).contains("swtpm localca").contains("ACTIVE").contains("PENDING");
        wait.until(b -> !b.findElements(By.cssSelector("#open-rounds tbody tr")).isEmpty());
        wait.until(b -> List.of("live", "polling").contains(b.findElement(By.id("connection")).getText()));
        heightBeforeClose = Long.parseLong(browser.findElement(By.id("chain-height")).getText());
        assertThat(heightBeforeClose).isPositive();
    }

    @Test
    @Order(3)
    void honestVotesCloseTheRoundsAndTheReadModelFollows() throws Exception {
        assertThat(driver.voteUntilTesteesDecided(240_000)).as("both testees decided").isTrue();
        String good = driver.id(4);
        String bad = driver.id(driver.bad());
        await("PASS round of the good testee", () -> given().get("/api/v1/rounds?outcome=pass&testee=" + good)
                .then().statusCode(200).extract().jsonPath().getLong("total") >= 1 ? true : null, 60);
        JsonPath failed = await("FAIL round of the bad testee", () -> {
            JsonPath p = given().get("/api/v1/rounds?state=closed&outcome=FAIL&testee=" + bad).then().statusCode(200).extract().jsonPath();
            return p.getLong("total") >= 1 ? p : null;
        }, 60);
        long failedRound = failed.getLong("items[0].id");
        JsonPath votes = given().get("/api/v1/rounds/" + failedRound + "/votes").then().statusCode(200).extract().jsonPath();
        assertThat(votes.getList("items.verdict", String.class)).isNotEmpty().containsOnly("FAIL");
        assertThat(votes.getList("items.reason", String.class)).containsOnly("FIRMWARE_NOT_APPROVED");
        assertThat(failed.getInt("items[0].votes")).isEqualTo(votes.getList("items").size());
    }

    @Test
    @Order(4)
    void dashboardShowsTheClosedRoundAndTheHeightMoves() throws Exception {
        String good = driver.id(4);
        long passed = given().get("/api/v1/rounds?outcome=pass&testee=" + good).then().extract().jsonPath().getLong("items[0].id");
        WebDriverWait wait = pageWait();
        wait.until(b -> b.findElements(By.cssSelector("#closed-rounds tbody tr")).stream()
                .anyMatch(r -> r.getText().startsWith("#" + passed + " ") && r.getText().contains("PASS")));
        wait.until(b -> Long.parseLong(b.findElement(By.id("chain-height")).getText()) > heightBeforeClose);
        wait.until(b -> b.findElement(By.cssSelector("#hsms tbody tr[data-id='" + good + "']")).getText().contains("ACTIVE"));
        wait.until(b -> b.findElement(By.cssSelector("#hsms tbody tr[data-id='" + driver.id(driver.bad()) + "']")).getText()
                .contains("SUSPENDED"));
        assertThat(browser.findElement(By.id("credit-total")).getText()).isNotEqualTo("-");
        assertThat(browser.findElements(By.cssSelector("#credit-chart polyline"))).isNotEmpty();
        Path shot = Path.of("target", "dashboard.png");
        Files.createDirectories(shot.getParent());
        Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), shot, StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(shot)).isPositive();
    }

    @Test
    @Order(5)
    void roundsAndVotesAgreeWithTheirVerifiedChainRecords() {
        JsonPath all = given().get("/api/v1/rounds?state=closed&size=100").then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> rounds = all.getList("items");
        assertThat(rounds).isNotEmpty();
        boolean sawCommittee = false;
        for (Map<String, Object> r : rounds) {
            Object id = r.get("id");
            JsonPath model = given().get("/api/v1/rounds/" + id).then().statusCode(200).body("source", equalTo("read-model"))
                    .extract().jsonPath();
            JsonPath chain = given().get("/api/v1/rounds/" + id + "?verified=true").then().statusCode(200)
                    .body("source", equalTo("chain")).extract().jsonPath();
            for (String f : List.of("id", "testee", "kind", "attempt", "state", "outcome", "opened_height", "deadline_height",
                    "closed_height", "votes", "pass_weight", "fail_weight", "seed")) {
                assertThat(model.getString(f)).as("round %s %s", id, f).isEqualTo(chain.getString(f));
            }
            if (model.get("committee_size") != null) {
                sawCommittee = true;
                for (String f : List.of("committee_size", "quorum_votes", "max_votes")) {
                    assertThat(model.getString(f)).as("round %s %s", id, f).isEqualTo(chain.getString(f));
                }
            }
            assertThat(chain.getLong("verified_height")).isGreaterThanOrEqualTo(model.getLong("closed_height"));
            List<Map<String, Object>> votes = given().get("/api/v1/rounds/" + id + "/votes").then().statusCode(200)
                    .extract().jsonPath().getList("items");
            List<Map<String, Object>> proven = given().get("/api/v1/rounds/" + id + "/votes?verified=true").then().statusCode(200)
                    .extract().jsonPath().getList("items");
            assertThat(proven).hasSameSizeAs(votes);
            for (int i = 0; i < votes.size(); i++) {
                for (String f : List.of("round_id", "verifier", "verdict", "reason", "weight", "evidence_digest", "height")) {
                    assertThat(String.valueOf(votes.get(i).get(f))).as("vote %s/%d %s", id, i, f)
                            .isEqualTo(String.valueOf(proven.get(i).get(f)));
                }
                String verifier = (String) votes.get(i).get("verifier");
                given().get("/api/v1/rounds/" + id + "/votes/" + verifier.toUpperCase()).then().statusCode(200)
                        .body("weight", equalTo(votes.get(i).get("weight")));
                given().get("/api/v1/rounds/" + id + "/votes/" + verifier + "?verified=true").then().statusCode(200)
                        .body("source", equalTo("chain")).body("evidence_digest", equalTo(votes.get(i).get("evidence_digest")));
            }
        }
        assertThat(sawCommittee).as("committee parameters filled from the chain").isTrue();
        given().get("/api/v1/rounds/" + 999_999_999 + "?verified=true").then().statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    @Order(6)
    void hsmHistoryPagesAndLastAttestationMatchesTheChain() {
        String good = driver.id(4);
        JsonPath history = given().get("/api/v1/hsms/" + good + "/attestations").then().statusCode(200).extract().jsonPath();
        long total = history.getLong("total");
        assertThat(total).isPositive();
        assertThat(history.getList("items.testee", String.class)).containsOnly(good);
        List<Long> ids = new ArrayList<>();
        for (int page = 0; page < total; page++) {
            JsonPath p = given().get("/api/v1/hsms/" + good + "/attestations?size=1&page=" + page).then().statusCode(200).extract().jsonPath();
            assertThat(p.getList("items")).hasSize(1);
            ids.add(p.getLong("items[0].id"));
        }
        assertThat(ids).doesNotHaveDuplicates().isSortedAccordingTo((a, b) -> Long.compare(b, a));
        assertThat(given().get("/api/v1/hsms/" + good + "/attestations?size=1&page=" + total).then().statusCode(200)
                .extract().jsonPath().getList("items")).isEmpty();

        JsonPath last = given().get("/api/v1/hsms/" + good + "/last-attestation").then().statusCode(200)
                .body("source", equalTo("read-model")).extract().jsonPath();
        JsonPath proven = given().get("/api/v1/hsms/" + good.toUpperCase() + "/last-attestation?verified=true").then().statusCode(200)
                .body("source", equalTo("chain")).extract().jsonPath();
        for (String f : List.of("hsm_id", "round_id", "height", "evidence_digest")) {
            assertThat(last.getString(f)).as(f).isEqualTo(proven.getString(f));
        }
        assertThat(proven.getList("measured_firmware")).hasSize(2);
        assertThat(proven.getLong("tpm_clock.clock")).isPositive();
        String bad = driver.id(driver.bad());
        given().get("/api/v1/hsms/" + bad + "/last-attestation").then().statusCode(404).contentType("application/problem+json");
        given().get("/api/v1/hsms/" + bad + "/last-attestation?verified=true").then().statusCode(404);
    }

    @Test
    @Order(7)
    void verifierStatisticsCountEveryVoteAgainstItsOutcome() {
        // A verifier's round may still be open (votes then count as pending and move when it
        // closes): compare until one consistent reading, within the time a round takes.
        Map<String, long[]> expected = await("verifier statistics equal to a count over all votes", () -> {
            Map<String, long[]> counted = countVotes();
            for (var e : counted.entrySet()) {
                JsonPath s = given().get("/api/v1/verifiers/" + e.getKey()).then().statusCode(200).extract().jsonPath();
                long[] got = {s.getLong("votes_cast"), s.getLong("agreeing"), s.getLong("dissenting"), s.getLong("inconclusive"),
                        s.getLong("pending")};
                if (!java.util.Arrays.equals(got, e.getValue())) {
                    return null;
                }
            }
            return counted;
        }, 90);
        assertThat(expected).isNotEmpty();
        JsonPath list = given().get("/api/v1/verifiers?size=100").then().statusCode(200).extract().jsonPath();
        assertThat(list.getList("items.verifier", String.class)).containsAll(expected.keySet()).isSorted();
        JsonPath page = given().get("/api/v1/verifiers?size=1&page=1").then().statusCode(200).extract().jsonPath();
        assertThat(page.getList("items")).hasSize(1);
        assertThat(page.getString("items[0].verifier")).isEqualTo(list.getString("items[1].verifier"));
    }

    @Test
    @Order(8)
    void grpcMirrorsTheRestAnswers() throws Exception {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext().build();
        try {
            var stub = AttestationQueryGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
            String good = driver.id(4);
            JsonPath rest = given().get("/api/v1/rounds?testee=" + good).then().extract().jsonPath();
            var page = stub.listRounds(ListRoundsRequest.newBuilder().setTestee(good).build());
            assertThat(page.getTotal()).isEqualTo(rest.getLong("total"));
            assertThat(page.getItemsList()).extracting(r -> r.getId()).containsExactlyElementsOf(rest.getList("items.id", Long.class));
            long id = page.getItems(0).getId();
            var round = stub.getRound(GetRoundRequest.newBuilder().setId(id).build());
            JsonPath one = given().get("/api/v1/rounds/" + id).then().extract().jsonPath();
            assertThat(round.getTestee()).isEqualTo(good);
            assertThat(round.getState()).isEqualTo(one.getString("state"));
            assertThat(round.getVotes()).isEqualTo(one.getInt("votes"));
            assertThat(round.getPassWeight()).isEqualTo(one.getString("pass_weight"));
            var proven = stub.getRound(GetRoundRequest.newBuilder().setId(id).setVerified(true).build());
            assertThat(proven.getSource()).isEqualTo("chain");
            assertThat(proven.getVerifiedHeight()).isPositive();
            var votes = stub.listVotes(ListVotesRequest.newBuilder().setRoundId(id).build());
            assertThat(votes.getItemsList()).extracting(v -> v.getVerifier())
                    .containsExactlyElementsOf(given().get("/api/v1/rounds/" + id + "/votes").then().extract().jsonPath()
                            .getList("items.verifier", String.class));
            String verifier = votes.getItems(0).getVerifier();
            var stats = stub.getVerifierStats(GetVerifierStatsRequest.newBuilder().setVerifier(verifier).build());
            assertThat(stats.getVotesCast()).isEqualTo(given().get("/api/v1/verifiers/" + verifier).then().extract()
                    .jsonPath().getLong("votes_cast"));
            assertThat(page.getItemsCount()).isPositive();

            assertStatus(() -> stub.getRound(GetRoundRequest.newBuilder().setId(0).build()), Status.Code.INVALID_ARGUMENT);
            assertStatus(() -> stub.getRound(GetRoundRequest.newBuilder().setId(987_654_321).build()), Status.Code.NOT_FOUND);
            assertStatus(() -> stub.listRounds(ListRoundsRequest.newBuilder().setState("half-open").build()), Status.Code.INVALID_ARGUMENT);
            assertStatus(() -> stub.listRounds(ListRoundsRequest.newBuilder().setSize(101).build()), Status.Code.INVALID_ARGUMENT);
            assertStatus(() -> stub.listVotes(ListVotesRequest.newBuilder().setRoundId(987_654_321).build()), Status.Code.NOT_FOUND);
            assertStatus(() -> stub.getVerifierStats(GetVerifierStatsRequest.newBuilder().setVerifier("xyz").build()),
                    Status.Code.INVALID_ARGUMENT);
            assertStatus(() -> stub.getVerifierStats(GetVerifierStatsRequest.newBuilder().setVerifier("0c".repeat(32)).build()),
                    Status.Code.NOT_FOUND);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    static Stream<Arguments> malformedRequests() {
        String ok = "ab".repeat(32);
        return Stream.of(
                Arguments.of("GET", "/api/v1/rounds/0", 400),
                Arguments.of("GET", "/api/v1/rounds/-1", 400),
                Arguments.of("GET", "/api/v1/rounds/01", 400),
                Arguments.of("GET", "/api/v1/rounds/abc", 400),
                Arguments.of("GET", "/api/v1/rounds/1234567890123456789", 400),
                Arguments.of("GET", "/api/v1/rounds/987654321", 404),
                Arguments.of("GET", "/api/v1/rounds/1?verified=maybe", 400),
                Arguments.of("GET", "/api/v1/rounds?state=half-open", 400),
                Arguments.of("GET", "/api/v1/rounds?outcome=maybe", 400),
                Arguments.of("GET", "/api/v1/rounds?testee=xyz", 400),
                Arguments.of("GET", "/api/v1/rounds?page=-1", 400),
                Arguments.of("GET", "/api/v1/rounds?page=1.5", 400),
                Arguments.of("GET", "/api/v1/rounds?size=0", 400),
                Arguments.of("GET", "/api/v1/rounds?size=101", 400),
                Arguments.of("GET", "/api/v1/rounds?size=99999999999", 400),
                Arguments.of("GET", "/api/v1/rounds/987654321/votes", 404),
                Arguments.of("GET", "/api/v1/rounds/x/votes", 400),
                Arguments.of("GET", "/api/v1/rounds/1/votes/" + ok + "0", 400),
                Arguments.of("GET", "/api/v1/rounds/987654321/votes/" + ok, 404),
                Arguments.of("GET", "/api/v1/hsms/" + "g".repeat(64) + "/attestations", 400),
                Arguments.of("GET", "/api/v1/hsms/" + ok + "/attestations?size=-5", 400),
                Arguments.of("GET", "/api/v1/hsms/short/last-attestation", 400),
                Arguments.of("GET", "/api/v1/hsms/" + ok + "/last-attestation", 404),
                Arguments.of("GET", "/api/v1/hsms/" + ok + "/last-attestation?verified=1", 400),
                Arguments.of("GET", "/api/v1/verifiers?page=abc", 400),
                Arguments.of("GET", "/api/v1/verifiers/" + ok, 404),
                Arguments.of("GET", "/api/v1/verifiers/nothex", 400),
                Arguments.of("GET", "/api/v1/no-such-thing", 404),
                Arguments.of("DELETE", "/api/v1/rounds", 405),
                Arguments.of("POST", "/api/v1/verifiers", 405));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @MethodSource("malformedRequests")
    @Order(9)
    void malformedRequestsGetA4xxProblem(String method, String path, int status) {
        given().request(method, path).then().statusCode(status).contentType("application/problem+json")
                .body("status", equalTo(status)).body("type", startsWith("urn:teeledger:problem:"))
                .body("title", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    @Order(10)
    void pagesAndFiltersRoundsAndIgnoresRedeliveredEvents() throws Exception {
        // 25 rounds of one synthetic testee; the first 10 closed (PASS, FAIL alternately), two votes each.
        List<ChainEvent> events = new ArrayList<>();
        long base = 30_000_000;
        for (int i = 1; i <= 25; i++) {
            String round = Long.toString(SYNTH_ROUND + i);
            events.add(event(base + i, 0, "attestation.round_opened", "round:" + round, "round", round, "testee", SYNTH_TESTEE,
                    "trigger", "ROUND_TRIGGER_PERIODIC", "attempt", "0", "seed", "11".repeat(32), "deadline",
                    Long.toString(base + i + 40), "total_shares", "123456789012345678901234567890"));
        }
        for (int i = 1; i <= 10; i++) {
            String round = Long.toString(SYNTH_ROUND + i);
            String verdict = i % 2 == 1 ? "VERDICT_PASS" : "VERDICT_FAIL";
            events.add(event(base + 100 + i, 0, "attestation.vote", "round:" + round, "round", round, "verifier", SYNTH_VOTER,
                    "verdict", verdict, "reason", "VERDICT_REASON_OK", "weight", "3", "evidence_digest", "22".repeat(32)));
            events.add(event(base + 100 + i, 1, "attestation.vote", "round:" + round, "round", round, "verifier", "5c".repeat(32),
                    "verdict", "VERDICT_FAIL", "reason", "VERDICT_REASON_PCR_MISMATCH", "weight", "1", "evidence_digest", "33".repeat(32)));
            events.add(event(base + 200 + i, 0, "attestation.round_closed", "round:" + round, "round", round, "testee", SYNTH_TESTEE,
                    "outcome", i % 2 == 1 ? "PASS" : "FAIL", "votes", "2", "pass_weight", i % 2 == 1 ? "3" : "0",
                    "fail_weight", i % 2 == 1 ? "1" : "4", "attempt", "0"));
        }
        events.add(event(base + 300, 0, "attestation.absence_charged", "hsm:" + SYNTH_VOTER, "hsm_id", SYNTH_VOTER, "owed", "9",
                "cast", "2", "missing", "7", "amount", "7000"));
        events.add(event(base + 301, 0, "attestation.round_requested", "hsm:" + SYNTH_TESTEE, "hsm_id", SYNTH_TESTEE, "reason", "audit"));
        events.add(event(base + 302, 0, "attestation.mint_skipped", "hsm:" + SYNTH_TESTEE, "hsm_id", SYNTH_TESTEE, "amount", "5",
                "reason", "CREDIT_REASON_VERIFIER_BONUS", "cause", "cap"));
        double duplicatesBefore = counter("teeledger_attestation_events_total{result=\"duplicate\",topic=\"attestation\"}");
        publish(ChainAndIndexerResource.TOPICS.attestation(), events);
        // Redelivery (at least once): must not count the votes twice nor reopen closed rounds.
        publish(ChainAndIndexerResource.TOPICS.attestation(), events.subList(25, events.size()));
        publish(ChainAndIndexerResource.TOPICS.attestation(), events.subList(0, 25));
        publish(ChainAndIndexerResource.TOPICS.credit(), List.of(event(base + 400, 0,
                "credit.normalized", "credit:supply", "old_total", "1200000000", "new_total", "1000000000",
                "factor", "0.833333333", "height", Long.toString(base + 400))));
        int redelivered = events.size();
        await("redelivered events counted", () -> counter("teeledger_attestation_events_total{result=\"duplicate\",topic=\"attestation\"}")
                >= duplicatesBefore + redelivered ? true : null, 60);

        given().get("/api/v1/rounds?testee=" + SYNTH_TESTEE).then().statusCode(200).body("total", equalTo(25)).body("size", equalTo(20));
        given().get("/api/v1/rounds?testee=" + SYNTH_TESTEE + "&state=OPEN").then().body("total", equalTo(15));
        given().get("/api/v1/rounds?testee=" + SYNTH_TESTEE + "&state=closed&outcome=pass").then().body("total", equalTo(5))
                .body("items.outcome", org.hamcrest.Matchers.everyItem(equalTo("PASS")));
        List<Long> all = new ArrayList<>();
        for (int page = 0; page < 3; page++) {
            List<Long> ids = given().get("/api/v1/rounds?testee=" + SYNTH_TESTEE + "&size=10&page=" + page).then().statusCode(200)
                    .extract().jsonPath().getList("items.id", Long.class);
            assertThat(ids).hasSize(page < 2 ? 10 : 5);
            all.addAll(ids);
        }
        assertThat(all).doesNotHaveDuplicates().hasSize(25).isSortedAccordingTo((a, b) -> Long.compare(b, a));
        assertThat(all.get(0)).isEqualTo(SYNTH_ROUND + 25);

        given().get("/api/v1/rounds/" + (SYNTH_ROUND + 1)).then().statusCode(200).body("state", equalTo("CLOSED"))
                .body("outcome", equalTo("PASS")).body("votes", equalTo(2)).body("pass_weight", equalTo("3"))
                .body("kind", equalTo("PERIODIC")).body("opened_height", equalTo((int) (base + 1)));
        given().get("/api/v1/rounds/" + (SYNTH_ROUND + 1) + "/votes").then().statusCode(200).body("items.size()", equalTo(2));
        given().get("/api/v1/verifiers/" + SYNTH_VOTER).then().statusCode(200).body("votes_cast", equalTo(10))
                .body("agreeing", equalTo(10)).body("dissenting", equalTo(0)).body("absence_charges", equalTo(1))
                .body("absence_missing_votes", equalTo(7)).body("absence_penalty_total", equalTo(7000));
        given().get("/api/v1/verifiers/" + "5c".repeat(32)).then().statusCode(200).body("votes_cast", equalTo(10))
                .body("agreeing", equalTo(5)).body("dissenting", equalTo(5));
        given().get("/api/v1/hsms/" + SYNTH_TESTEE + "/last-attestation").then().statusCode(200)
                .body("round_id", equalTo((int) (SYNTH_ROUND + 9))).body("evidence_digest", equalTo("22".repeat(32)));
        await("normalization on the dashboard", () -> given().get("/api/v1/dashboard/snapshot").then().statusCode(200)
                .extract().jsonPath().getList("credit.normalizations.height").contains((int) (base + 400)) ? true : null, 30);
    }

    @Test
    @Order(11)
    void skipsUndecodableAndIncompleteRecordsAndKeepsConsuming() throws Exception {
        String series = "teeledger_attestation_events_total{result=\"malformed\",topic=\"attestation\"}";
        double before = counter(series);
        String round = Long.toString(SYNTH_ROUND + 500);
        String topic = ChainAndIndexerResource.TOPICS.attestation();
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(ChainAndIndexerResource.kafka().clientProperties(),
                new StringSerializer(), new ByteArraySerializer())) {
            // One key, so all four are in one partition, in this order.
            p.send(new ProducerRecord<>(topic, "round:" + round, "{not a record".getBytes(StandardCharsets.UTF_8))).get();
            p.send(new ProducerRecord<>(topic, "round:" + round, RecordCodec.encode(event(40_000_000, 0, "attestation.round_opened",
                    "round:" + round, "round", round, "trigger", "ROUND_TRIGGER_JOIN", "attempt", "0", "seed", "",
                    "deadline", "1", "total_shares", "1")))).get(); // no testee
            p.send(new ProducerRecord<>(topic, "round:" + round, RecordCodec.encode(event(40_000_001, 0, "attestation.vote",
                    "round:" + round, "round", round, "verifier", SYNTH_VOTER, "verdict", "VERDICT_PASS", "reason", "VERDICT_REASON_OK",
                    "weight", "-3", "evidence_digest", "")))).get(); // negative weight
            p.send(new ProducerRecord<>(topic, "round:" + round, RecordCodec.encode(event(40_000_002, 0, "attestation.round_opened",
                    "round:" + round, "round", round, "testee", SYNTH_TESTEE, "trigger", "ROUND_TRIGGER_JOIN", "attempt", "0",
                    "seed", "", "deadline", "40000042", "total_shares", "1")))).get();
        }
        await("the good record after three bad ones", () -> given().get("/api/v1/rounds/" + round).statusCode() == 200 ? true : null, 30);
        given().get("/api/v1/rounds/" + round).then().body("opened_height", equalTo(40_000_002)).body("state", equalTo("OPEN"));
        assertThat(counter(series)).isEqualTo(before + 3);
        given().get("/api/v1/rounds/" + round + "/votes").then().statusCode(200).body("items.size()", equalTo(0));
    }

    @Test
    @Order(12)
    void exposesHealthMetricsOpenApiAndTheEventStream() throws Exception {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", org.hamcrest.Matchers.hasItem("chain"));
        given().get("/q/swagger-ui/").then().statusCode(200);
        given().get("/q/openapi?format=json").then().statusCode(200).body(org.hamcrest.Matchers.containsString("/api/v1/rounds"));
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("teeledger_attestation_events_total{result=\"applied\",topic=\"attestation\"}")
                .contains("teeledger_attestation_events_total{result=\"applied\",topic=\"credit\"}");
        JsonPath snapshot = given().get("/api/v1/dashboard/snapshot").then().statusCode(200).extract().jsonPath();
        assertThat(snapshot.getLong("chain_height")).isPositive();
        assertThat(snapshot.getList("hsms")).hasSize(6);
        assertThat(snapshot.getLong("credit.cap")).isEqualTo(1_000_000_000L);
        assertThat(snapshot.getLong("credit.total")).isPositive();
        // The SSE stream answers text/event-stream with a snapshot as its first event.
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        var response = http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://localhost:" + RestAssured.port + "/api/v1/dashboard/events")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            do {
                line = in.readLine();
            } while (line != null && !line.startsWith("data:"));
            assertThat(line).isNotNull().contains("\"chain_height\"").contains("\"hsms\"");
        }
    }

    // --- helpers ---

    /** Per verifier over every round's votes: cast, agreeing, dissenting, inconclusive, pending. */
    private static Map<String, long[]> countVotes() {
        Map<String, long[]> counted = new HashMap<>();
        for (Map<String, Object> r : given().get("/api/v1/rounds?size=100").then().extract().jsonPath()
                .<Map<String, Object>>getList("items")) {
            String outcome = (String) r.get("outcome");
            for (Map<String, Object> v : given().get("/api/v1/rounds/" + r.get("id") + "/votes").then().extract().jsonPath()
                    .<Map<String, Object>>getList("items")) {
                long[] e = counted.computeIfAbsent((String) v.get("verifier"), k -> new long[5]);
                e[0]++;
                if (outcome == null) {
                    e[4]++;
                } else if (outcome.equals("INCONCLUSIVE")) {
                    e[3]++;
                } else if (outcome.equals(v.get("verdict"))) {
                    e[1]++;
                } else {
                    e[2]++;
                }
            }
        }
        return counted;
    }

    /** A wait on the dashboard that retries reads of rows the page replaced meanwhile. */
    private static WebDriverWait pageWait() {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    private static void assertStatus(Runnable call, Status.Code code) {
        assertThatThrownBy(call::run).isInstanceOf(StatusRuntimeException.class)
                .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(code));
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

    private static <T> T await(String what, Supplier<T> probe, int seconds) {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (true) {
            T v = probe.get();
            if (v != null) {
                return v;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static ChainEvent event(long height, int index, String type, String key, String... attrs) {
        List<ChainEvent.Attribute> list = new ArrayList<>();
        for (int i = 0; i < attrs.length; i += 2) {
            list.add(new ChainEvent.Attribute(attrs[i], attrs[i + 1]));
        }
        return new ChainEvent(new EventId(height, 0, index), "attestation-svc-it", Instant.parse("2026-11-28T20:00:00Z"),
                "00".repeat(32), type, key, list);
    }

    private static void publish(String topic, List<ChainEvent> events) throws Exception {
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(ChainAndIndexerResource.kafka().clientProperties(),
                new StringSerializer(), new ByteArraySerializer())) {
            for (ChainEvent e : events) {
                p.send(new ProducerRecord<>(topic, e.key(), RecordCodec.encode(e))).get();
            }
        }
    }
}
