package dev.teeledger.abci.attestation;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.teeledger.abci.attestation.AttestationHarness.Hsm;
import dev.teeledger.protocol.gov.Param;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.state.v1.AkBinding;
import dev.teeledger.protocol.state.v1.AttestationRound;
import dev.teeledger.protocol.state.v1.HsmState;
import dev.teeledger.protocol.state.v1.RoundStatus;
import dev.teeledger.protocol.state.v1.RoundTrigger;
import dev.teeledger.protocol.tx.v1.AttestationRequest;
import dev.teeledger.protocol.tx.v1.TxType;
import dev.teeledger.protocol.tx.v1.Verdict;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tendermint.abci.Types.ResponseFinalizeBlock;

/**
 * Whole rounds through the application: opening, votes, aggregation, the economics and the
 * lifecycle moves, with every verifier selected (committee size ≥ verifiers) so that outcomes
 * are exact.
 */
class AttestationRoundTest {
    static final long GRANT = 1_000_000;
    static final long INCOME = 10_000;
    static final long RA_COST = 1_000;
    static final long BONUS = 2_000;
    static final long DISSENT = 20_000;
    static final long FAIL_PENALTY = 50_000;

    @TempDir
    Path tmp;

    static Map<String, Long> params(long committee) {
        Map<String, Long> p = new java.util.TreeMap<>();
        p.put(Param.ATTESTATION_COMMITTEE_SIZE.id(), committee);
        p.put(Param.ATTESTATION_QUORUM_BPS.id(), 3_000L);
        p.put(Param.ATTESTATION_WINDOW.id(), 3L);
        p.put(Param.ATTESTATION_PERIOD.id(), 50L);
        p.put(Param.ATTESTATION_MAX_VOTES.id(), 100L);
        p.put(Param.ATTESTATION_ABSENCE_TOLERANCE.id(), 1_000L);
        p.put(Param.CREDIT_ACTIVATION_GRANT.id(), GRANT);
        p.put(Param.ATTESTATION_INCOME.id(), INCOME);
        p.put(Param.ATTESTATION_RA_COST.id(), RA_COST);
        p.put(Param.ATTESTATION_VERIFIER_BONUS.id(), BONUS);
        p.put(Param.ATTESTATION_DISSENT_PENALTY.id(), DISSENT);
        return p;
    }

    /**
     * Committee size 8 with at most five credit holders: every holder's odds {@code 8·w/S}
     * exceed one, so everyone is selected; the quorum is ceil(8 × 30 %) = 3 votes.
     */
    /** Four bootstrapped verifiers and one PENDING testee with a governance-requested round open. */
    static AttestationHarness network(Path dir, int pending) throws Exception {
        AttestationHarness h = new AttestationHarness(dir, params(8));
        List<Hsm> all = h.seedHsms(4 + pending, new Random(42));
        h.okBlock(h.bootstrap(all.get(0)), h.bootstrap(all.get(1)), h.bootstrap(all.get(2)), h.bootstrap(all.get(3)));
        return h;
    }

    static byte[] request(AttestationHarness h, Hsm testee) {
        return h.govTx(TxType.TX_TYPE_ATTESTATION_REQUEST,
                AttestationRequest.newBuilder().setHsmId(ByteString.copyFrom(testee.id())).setReason("test").build());
    }

    /** Votes of the given verifiers with the given verdicts, all selected. */
    static List<byte[]> votes(AttestationHarness h, AttestationRound round, List<Hsm> verifiers, Verdict... verdicts) throws Exception {
        List<byte[]> txs = new ArrayList<>();
        for (int i = 0; i < verdicts.length; i++) {
            AttestationHarness.Ticket t = h.ticket(round, verifiers.get(i));
            assertThat(t.selected()).as("committee size above the verifier count selects everyone").isTrue();
            txs.add(h.voteTx(AttestationHarness.vote(round, verifiers.get(i), verdicts[i], t.proof()), verifiers.get(i)));
        }
        return txs;
    }

    static void runToClose(AttestationHarness h, AttestationRound round) {
        while (h.height < round.getDeadlineHeight()) {
            h.okBlock();
        }
    }

    @Test
    void bootstrapActivatesWithTheGrantAndRecordsTheBinding() throws Exception {
        try (AttestationHarness h = network(tmp, 1)) {
            Hsm a = h.hsms.get(0);
            assertThat(h.state(a)).isEqualTo(HsmState.HSM_STATE_ACTIVE);
            assertThat(h.balance(a)).isEqualTo(GRANT);
            AkBinding binding = new AttestationKeeper(h.view()).binding(a.id()).orElseThrow();
            assertThat(binding.getBootstrap()).isTrue();
            assertThat(h.state(h.hsms.get(4))).isEqualTo(HsmState.HSM_STATE_PENDING);
            // A second bootstrap of an ACTIVE HSM is refused.
            ResponseFinalizeBlock res = h.block(h.bootstrap(a));
            assertThat(res.getTxResults(0).getCode()).isEqualTo(ResultCode.NOT_PENDING.code());
        }
    }

    @Test
    void pendingHsmPassesAndBecomesActiveWithExactCredits() throws Exception {
        try (AttestationHarness h = network(tmp, 1)) {
            Hsm testee = h.hsms.get(4);
            List<Hsm> verifiers = h.hsms.subList(0, 4);
            ResponseFinalizeBlock opened = h.okBlock(request(h, testee));
            assertThat(opened.getEventsList()).anyMatch(e -> e.getType().equals("attestation.round_opened"));
            AttestationRound round = h.openRound(testee);
            assertThat(round.getTrigger()).isEqualTo(RoundTrigger.ROUND_TRIGGER_GOVERNANCE);
            assertThat(round.getOpenedHeight()).isEqualTo(h.height);
            assertThat(round.getDeadlineHeight()).isEqualTo(h.height + 3);

            h.okBlock(votes(h, round, verifiers, Verdict.VERDICT_PASS, Verdict.VERDICT_PASS, Verdict.VERDICT_PASS, Verdict.VERDICT_PASS)
                    .toArray(byte[][]::new));
            assertThat(h.state(testee)).as("still open until the deadline").isEqualTo(HsmState.HSM_STATE_PENDING);
            runToClose(h, round);

            AttestationRound closed = h.round(round.getId());
            assertThat(closed.getStatus()).isEqualTo(RoundStatus.ROUND_STATUS_PASS);
            assertThat(closed.getVotes()).isEqualTo(4);
            assertThat(h.state(testee)).isEqualTo(HsmState.HSM_STATE_ACTIVE);
            assertThat(h.balance(testee)).isEqualTo(GRANT + INCOME - RA_COST);
            for (Hsm v : verifiers) {
                assertThat(h.balance(v)).isEqualTo(GRANT + BONUS);
            }
            AkBinding binding = new AttestationKeeper(h.view()).binding(testee.id()).orElseThrow();
            assertThat(binding.getBootstrap()).isFalse();
            assertThat(binding.getRoundId()).isEqualTo(round.getId());
            assertThat(h.openRound(testee)).as("no round open after close").isNull();
            assertThat(new AttestationKeeper(h.view()).last(testee.id()).orElseThrow().getRoundId())
                    .as("the pass is the next round's baseline").isEqualTo(round.getId());
            assertThat(h.app.metrics().scrape())
                    .contains("teeledger_attestation_rounds_total{outcome=\"PASS\"} 1.0")
                    .contains("teeledger_events_total{type=\"attestation.vote\"} 4.0");
            // The next periodic round is queued at the testee's slot.
            long slot = RoundScheduler.nextSlot(testee.id(), closed.getClosedHeight(), 50);
            assertThat(new AttestationKeeper(h.view()).dueAt(slot)).anyMatch(d -> d.getHsmId().equals(ByteString.copyFrom(testee.id())));
        }
    }

    @Test
    void failingTesteeIsSuspendedAndPaysThePenalty() throws Exception {
        try (AttestationHarness h = network(tmp, 1)) {
            Hsm testee = h.hsms.get(4);
            h.okBlock(request(h, testee));
            AttestationRound round = h.openRound(testee);
            h.okBlock(votes(h, round, h.hsms.subList(0, 4), Verdict.VERDICT_FAIL, Verdict.VERDICT_FAIL, Verdict.VERDICT_FAIL, Verdict.VERDICT_PASS)
                    .toArray(byte[][]::new));
            runToClose(h, round);
            assertThat(h.round(round.getId()).getStatus()).isEqualTo(RoundStatus.ROUND_STATUS_FAIL);
            assertThat(h.state(testee)).isEqualTo(HsmState.HSM_STATE_SUSPENDED);
            assertThat(h.balance(testee)).as("nothing to burn from a new HSM").isZero();
            assertThat(h.balance(h.hsms.get(0))).isEqualTo(GRANT + BONUS);
            assertThat(h.balance(h.hsms.get(3))).as("dissenter").isEqualTo(GRANT - DISSENT);
        }
    }

    @Test
    void activeHsmThatFailsPaysCostAndPenaltyAndCanComeBack() throws Exception {
        try (AttestationHarness h = network(tmp, 0)) {
            Hsm testee = h.hsms.get(0);
            List<Hsm> others = h.hsms.subList(1, 4);
            h.okBlock(request(h, testee));
            AttestationRound round = h.openRound(testee);
            h.okBlock(votes(h, round, others, Verdict.VERDICT_FAIL, Verdict.VERDICT_FAIL, Verdict.VERDICT_FAIL).toArray(byte[][]::new));
            runToClose(h, round);
            assertThat(h.state(testee)).isEqualTo(HsmState.HSM_STATE_SUSPENDED);
            assertThat(h.balance(testee)).isEqualTo(GRANT - RA_COST - FAIL_PENALTY);

            h.okBlock(request(h, testee));
            AttestationRound again = h.openRound(testee);
            h.okBlock(votes(h, again, others, Verdict.VERDICT_PASS, Verdict.VERDICT_PASS, Verdict.VERDICT_PASS).toArray(byte[][]::new));
            runToClose(h, again);
            assertThat(h.state(testee)).isEqualTo(HsmState.HSM_STATE_ACTIVE);
            assertThat(h.balance(testee)).as("no second grant").isEqualTo(GRANT - RA_COST - FAIL_PENALTY + INCOME - RA_COST);
        }
    }

    @Test
    void splitVoteIsInconclusiveAndRetriedWithAFreshSeed() throws Exception {
        try (AttestationHarness h = network(tmp, 1)) {
            Hsm testee = h.hsms.get(4);
            h.okBlock(request(h, testee));
            AttestationRound round = h.openRound(testee);
            h.okBlock(votes(h, round, h.hsms.subList(0, 4), Verdict.VERDICT_PASS, Verdict.VERDICT_PASS, Verdict.VERDICT_FAIL, Verdict.VERDICT_FAIL)
                    .toArray(byte[][]::new));
            runToClose(h, round);
            assertThat(h.round(round.getId()).getStatus()).isEqualTo(RoundStatus.ROUND_STATUS_INCONCLUSIVE);
            AttestationRound retry = h.openRound(testee);
            assertThat(retry).isNotNull();
            assertThat(retry.getTrigger()).isEqualTo(RoundTrigger.ROUND_TRIGGER_RETRY);
            assertThat(retry.getAttempt()).isEqualTo(1);
            assertThat(retry.getSeed()).isNotEqualTo(round.getSeed());
            assertThat(h.state(testee)).isEqualTo(HsmState.HSM_STATE_PENDING);
            for (Hsm v : h.hsms.subList(0, 4)) {
                assertThat(h.balance(v)).as("no bonus or penalty without an outcome").isEqualTo(GRANT);
            }
        }
    }

    @Test
    void retriesStopAfterTheLimit() throws Exception {
        try (AttestationHarness h = network(tmp, 1)) {
            Hsm testee = h.hsms.get(4);
            h.okBlock(request(h, testee));
            List<Long> rounds = new ArrayList<>();
            for (int i = 0; i < 3; i++) {   // max_retries = 2 (default): attempts 0, 1, 2
                AttestationRound r = h.openRound(testee);
                assertThat(r.getAttempt()).isEqualTo(i);
                rounds.add(r.getId());
                runToClose(h, r);   // nobody votes: below quorum
                assertThat(h.round(r.getId()).getStatus()).isEqualTo(RoundStatus.ROUND_STATUS_INCONCLUSIVE);
            }
            assertThat(h.openRound(testee)).as("waits for its next period").isNull();
            assertThat(rounds).doesNotHaveDuplicates();
        }
    }

    @Test
    void roundFilledByVotesClosesEarly() throws Exception {
        Map<String, Long> p = new java.util.HashMap<>(params(8));
        p.put(Param.ATTESTATION_MAX_VOTES.id(), 3L);
        try (AttestationHarness h = new AttestationHarness(tmp, p)) {
            List<Hsm> all = h.seedHsms(5, new Random(42));
            h.okBlock(h.bootstrap(all.get(0)), h.bootstrap(all.get(1)), h.bootstrap(all.get(2)), h.bootstrap(all.get(3)));
            Hsm testee = all.get(4);
            h.okBlock(request(h, testee));
            AttestationRound round = h.openRound(testee);
            List<byte[]> txs = votes(h, round, all.subList(0, 4), Verdict.VERDICT_PASS, Verdict.VERDICT_PASS, Verdict.VERDICT_PASS, Verdict.VERDICT_PASS);
            ResponseFinalizeBlock res = h.block(txs);
            assertThat(res.getTxResults(3).getCode()).isEqualTo(ResultCode.COMMITTEE_FULL.code());
            assertThat(h.round(round.getId()).getStatus()).isEqualTo(RoundStatus.ROUND_STATUS_PASS);
            assertThat(h.round(round.getId()).getClosedHeight()).isLessThan(round.getDeadlineHeight());
            assertThat(h.state(testee)).isEqualTo(HsmState.HSM_STATE_ACTIVE);
        }
    }
}
