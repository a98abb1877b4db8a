package dev.teeledger.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teeledger.protocol.state.v1.HsmState;
import dev.teeledger.protocol.state.v1.RoundStatus;
import dev.teeledger.protocol.tx.v1.AttestationVote;
import dev.teeledger.protocol.tx.v1.Verdict;
import dev.teeledger.protocol.tx.v1.VerdictReason;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The agent's round logic against a fake chain and fake sidecars: selection, verdicts, retries, deadlines. */
class VerifierAgentTest {
    private Fakes.Chain chain;
    private Fakes.Sidecar own;
    private Fakes.Sidecar testee;
    private AtomicInteger testeeConnections;
    private List<Duration> pauses;
    private AtomicLong nanos;
    private VerifierAgent agent;

    @BeforeEach
    void setUp() throws Exception {
        chain = new Fakes.Chain();
        own = new Fakes.Sidecar();
        testee = new Fakes.Sidecar();
        testee.always = new SidecarException(SidecarException.Kind.CONNECTION_FAILED, "refused");
        testeeConnections = new AtomicInteger();
        pauses = new ArrayList<>();
        nanos = new AtomicLong();
        chain.hsm(Fakes.TESTEE, HsmState.HSM_STATE_PENDING, Fakes.rsaEkPublic());
        agent = agent(AgentConfig.defaults(Fakes.CHAIN).withRetries(3, Duration.ofMillis(100)));
    }

    private VerifierAgent agent(AgentConfig config) {
        return new VerifierAgent(config, chain, own, EndpointResolver.fromRecord(), uri -> {
            testeeConnections.incrementAndGet();
            return testee;
        }, new SecureRandom(), d -> {
            pauses.add(d);
            nanos.addAndGet(d.toNanos());
        }, nanos::get);
    }

    @Test
    void aVerifierNotSelectedDoesNoWorkOnTheTestee() throws Exception {
        chain.rounds.put(1L, Fakes.round(1, Fakes.TESTEE, 9, 50, RoundStatus.ROUND_STATUS_OPEN));
        Arrays.fill(own.vrfOutput, (byte) 0xff);   // β close to 2^256: never below τ·w/S = 1·50/100

        List<RoundReport> reports = agent.pollOnce();

        assertThat(reports).extracting(RoundReport::outcome).containsExactly(RoundReport.Outcome.NOT_SELECTED);
        assertThat(testeeConnections).hasValue(0);
        assertThat(chain.submitted).isEmpty();
        assertThat(agent.metrics()).isEqualTo(new AgentMetrics(1, 0, 0, 0));
    }

    @Test
    void aVerifierWithoutSharesAtOpeningIsNeverSelected() throws Exception {
        chain.rounds.put(1L, Fakes.round(1, Fakes.TESTEE, 9, 50, RoundStatus.ROUND_STATUS_OPEN));
        chain.shares.put(Arrays.toString(Fakes.SELF), java.math.BigInteger.ZERO);

        assertThat(agent.pollOnce()).extracting(RoundReport::outcome).containsExactly(RoundReport.Outcome.NOT_SELECTED);
        assertThat(testeeConnections).hasValue(0);
    }

    @Test
    void skipsItsOwnRoundAndRoundsWhileNotActive() throws Exception {
        chain.rounds.put(1L, Fakes.round(1, Fakes.SELF, 9, 50, RoundStatus.ROUND_STATUS_OPEN));
        assertThat(agent.pollOnce()).extracting(RoundReport::outcome).containsExactly(RoundReport.Outcome.OWN_ROUND);

        chain.hsm(Fakes.SELF, HsmState.HSM_STATE_SUSPENDED, new byte[0]);
        chain.rounds.put(2L, Fakes.round(2, Fakes.TESTEE, 9, 50, RoundStatus.ROUND_STATUS_OPEN));
        assertThat(agent.pollOnce()).extracting(RoundReport::outcome).containsExactly(RoundReport.Outcome.NOT_ELIGIBLE);
        assertThat(own.calls).as("only the identity was read; no VRF").isEqualTo(1);
        assertThat(chain.submitted).isEmpty();
    }

    @Test
    void looksAgainAtAnOpenRoundOnceItsHsmIsActive() throws Exception {
        chain.hsm(Fakes.SELF, HsmState.HSM_STATE_SUSPENDED, new byte[0]);
        chain.rounds.put(1L, Fakes.round(1, Fakes.TESTEE, 9, 50, RoundStatus.ROUND_STATUS_OPEN));
        assertThat(agent.pollOnce()).extracting(RoundReport::outcome).containsExactly(RoundReport.Outcome.NOT_ELIGIBLE);

        chain.hsm(Fakes.SELF, HsmState.HSM_STATE_ACTIVE, new byte[0]);
        assertThat(agent.pollOnce()).extracting(RoundReport::roundId, RoundReport::outcome)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, RoundReport.Outcome.VOTED));
        assertThat(agent.pollOnce()).as("handled once").isEmpty();
        assertThat(agent.metrics()).isEqualTo(new AgentMetrics(1, 1, 1, 0));
    }

    @Test
    void forgetsADeferredRoundOnceItCloses() throws Exception {
        chain.hsm(Fakes.SELF, HsmState.HSM_STATE_PENDING, new byte[0]);
        chain.rounds.put(1L, Fakes.round(1, Fakes.TESTEE, 9, 50, RoundStatus.ROUND_STATUS_OPEN));
        agent.pollOnce();
        chain.rounds.put(1L, Fakes.round(1, Fakes.TESTEE, 9, 50, RoundStatus.ROUND_STATUS_INCONCLUSIVE));
        chain.hsm(Fakes.SELF, HsmState.HSM_STATE_ACTIVE, new byte[0]);

        assertThat(agent.pollOnce()).isEmpty();
        assertThat(agent.pollOnce()).isEmpty();
        assertThat(chain.submitted).isEmpty();
    }

    @Test
    void walksRoundIdsUntilAbsentAndResumesThere() throws Exception {
        chain.rounds.put(1L, Fakes.round(1, Fakes.TESTEE, 2, 5, RoundStatus.ROUND_STATUS_PASS));
        chain.rounds.put(2L, Fakes.round(2, Fakes.SELF, 9, 50, RoundStatus.ROUND_STATUS_OPEN));
        assertThat(agent.pollOnce()).extracting(RoundReport::roundId).containsExactly(1L, 2L);
        assertThat(agent.nextRoundId()).isEqualTo(3);
        assertThat(agent.pollOnce()).isEmpty();
        chain.rounds.put(3L, Fakes.round(3, Fakes.SELF, 11, 50, RoundStatus.ROUND_STATUS_OPEN));
        assertThat(agent.pollOnce()).extracting(RoundReport::roundId).containsExactly(3L);
        assertThat(agent.metrics().roundsSeen()).as("closed rounds are not counted as seen open").isEqualTo(2);
    }

    @Test
    void anUnreachableTesteeIsVotedFailAfterBoundedRetries() throws Exception {
        chain.rounds.put(1L, Fakes.round(1, Fakes.TESTEE, 9, 50, RoundStatus.ROUND_STATUS_OPEN));

        List<RoundReport> reports = agent.pollOnce();

        assertThat(reports).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(RoundReport.Outcome.VOTED);
            assertThat(r.verdict()).isEqualTo(Verdict.VERDICT_FAIL);
            assertThat(r.reason()).isEqualTo(VerdictReason.VERDICT_REASON_UNREACHABLE);
        });
        assertThat(testee.calls).as("activation tried maxAttempts times").isEqualTo(3);
        assertThat(pauses).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(chain.submitted).hasSize(1);
        AttestationVote vote = Fakes.voteOf(chain.submitted.get(0));
        assertThat(vote.getRoundId()).isEqualTo(1);
        assertThat(vote.getVerifierId().toByteArray()).isEqualTo(Fakes.SELF);
        assertThat(vote.getVrfProof().size()).isEqualTo(81);
        assertThat(vote.getEvidenceDigest().size()).isEqualTo(32);
        assertThat(agent.metrics()).isEqualTo(new AgentMetrics(1, 1, 1, 0));
    }

    @Test
    void abstainsOnAnUnreachableTesteeWhenConfiguredTo() throws Exception {
        agent = agent(AgentConfig.defaults(Fakes.CHAIN).withRetries(2, Duration.ofMillis(10)).withVoteUnreachable(false));
        chain.rounds.put(1L, Fakes.round(1, Fakes.TESTEE, 9, 50, RoundStatus.ROUND_STATUS_OPEN));

        assertThat(agent.pollOnce()).extracting(RoundReport::outcome).containsExactly(RoundReport.Outcome.FAILED);
        assertThat(chain.submitted).isEmpty();
        assertThat(agent.metrics()).isEqualTo(new AgentMetrics(1, 1, 0, 1));
    }

    @Test
    void aTpmThatRefusesTheCredentialIsVotedActivationFailed() throws Exception {
        testee.always = new SidecarException(SidecarException.Kind.TPM_ERROR, "0x19F integrity");
        chain.rounds.put(1L, Fakes.round(1, Fakes.TESTEE, 9, 50, RoundStatus.ROUND_STATUS_OPEN));

        assertThat(agent.pollOnce()).singleElement().satisfies(r ->
                assertThat(r.reason()).isEqualTo(VerdictReason.VERDICT_REASON_ACTIVATION_FAILED));
        assertThat(testee.calls).as("a TPM refusal is not retried").isEqualTo(1);
    }

    @Test
    void retriesItsOwnSidecarWhileItIsUnavailable() throws Exception {
        chain.rounds.put(1L, Fakes.round(1, Fakes.TESTEE, 9, 50, RoundStatus.ROUND_STATUS_OPEN));
        agent.init();
        own.failures.add(new SidecarException(SidecarException.Kind.TPM_UNAVAILABLE, "swtpm restarting"));
        own.failures.add(new SidecarException(SidecarException.Kind.TIMEOUT, "slow"));

        assertThat(agent.pollOnce()).extracting(RoundReport::outcome).containsExactly(RoundReport.Outcome.VOTED);
    }

    @Test
    void givesUpOnItsOwnSidecarAfterMaxAttempts() throws Exception {
        chain.rounds.put(1L, Fakes.round(1, Fakes.TESTEE, 9, 50, RoundStatus.ROUND_STATUS_OPEN));
        agent.init();
        for (int i = 0; i < 3; i++) {
            own.failures.add(new SidecarException(SidecarException.Kind.TPM_UNAVAILABLE, "down"));
        }

        assertThat(agent.pollOnce()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(RoundReport.Outcome.FAILED);
            assertThat(r.detail()).contains("vrf");
        });
        assertThat(testeeConnections).hasValue(0);
    }

    @Test
    void doesNoWorkOnARoundAtItsDeadline() throws Exception {
        chain.height = 50;
        chain.rounds.put(1L, Fakes.round(1, Fakes.TESTEE, 9, 50, RoundStatus.ROUND_STATUS_OPEN));

        assertThat(agent.pollOnce()).extracting(RoundReport::outcome).containsExactly(RoundReport.Outcome.NOT_OPEN);
        assertThat(own.calls).isEqualTo(1);
        assertThat(chain.submitted).isEmpty();
    }

    @Test
    void stopsRetryingAndNeverSubmitsOnceTheDeadlineIsReached() throws Exception {
        chain.rounds.put(1L, Fakes.round(1, Fakes.TESTEE, 9, 20, RoundStatus.ROUND_STATUS_OPEN));
        // The chain moves one block per height read: the deadline arrives during the testee retries.
        chain.heightAfterReads = reads -> 15 + reads;
        agent = agent(AgentConfig.defaults(Fakes.CHAIN).withRetries(10, Duration.ofMillis(10)));

        assertThat(agent.pollOnce()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(RoundReport.Outcome.FAILED);
            assertThat(r.detail()).contains("deadline");
        });
        assertThat(testee.calls).isLessThan(10);
        assertThat(chain.submitted).isEmpty();
    }

    @Test
    void theWallClockBudgetBoundsARound() throws Exception {
        chain.rounds.put(1L, Fakes.round(1, Fakes.TESTEE, 9, 1_000_000, RoundStatus.ROUND_STATUS_OPEN));
        chain.commits = false;
        agent = agent(AgentConfig.defaults(Fakes.CHAIN).withRetries(2, Duration.ofMillis(10)).withRoundBudget(Duration.ofSeconds(5)));

        assertThat(agent.pollOnce()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(RoundReport.Outcome.FAILED);
            assertThat(r.detail()).contains("not committed");
        });
        assertThat(nanos.get()).isBetween(Duration.ofSeconds(5).toNanos(), Duration.ofSeconds(6).toNanos());
        assertThat(chain.submitted).as("tracking never resubmits").hasSize(1);
    }

    @Test
    void aVoteRefusedByCheckTxIsNotResubmitted() throws Exception {
        chain.rounds.put(1L, Fakes.round(1, Fakes.TESTEE, 9, 50, RoundStatus.ROUND_STATUS_OPEN));
        chain.checkTxCodes.add(608);

        assertThat(agent.pollOnce()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(RoundReport.Outcome.FAILED);
            assertThat(r.code()).isEqualTo(608);
        });
        assertThat(chain.submitted).hasSize(1);
        assertThat(agent.metrics()).isEqualTo(new AgentMetrics(1, 1, 0, 1));
    }

    @Test
    void refusesASidecarBoundToAnotherChain() {
        agent = agent(AgentConfig.defaults("another-chain"));
        org.assertj.core.api.Assertions.assertThatThrownBy(agent::init).isInstanceOf(SidecarException.class)
                .hasMessageContaining("another-chain");
    }
}
