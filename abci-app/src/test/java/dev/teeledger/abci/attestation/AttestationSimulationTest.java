package dev.teeledger.abci.attestation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teeledger.abci.attestation.AttestationHarness.Hsm;
import dev.teeledger.protocol.attestation.Sortition;
import dev.teeledger.protocol.gov.Param;
import dev.teeledger.protocol.state.v1.HsmState;
import dev.teeledger.protocol.state.v1.Liveness;
import dev.teeledger.protocol.tx.v1.Verdict;
import dev.teeledger.protocol.vrf.EcVrf;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tendermint.abci.Types.Event;
import tendermint.abci.Types.EventAttribute;
import tendermint.abci.Types.ResponseFinalizeBlock;

/**
 * A deterministic simulation of 50 HSMs over more than 200 rounds against the real application,
 * checked against an independent, deliberately naive model of the rules.
 *
 * <p>Roles: 30 honest verifiers (vote the truth), 8 lazy ones (never vote), 7 liars (vote the
 * opposite of the truth) and 5 compromised HSMs (their evidence is bad: the truth about them is
 * FAIL; while ACTIVE they verify honestly). Everyone starts ACTIVE by governance bootstrap with
 * the same grant.
 *
 * <p>The model keeps plain {@code long} balances and, for every round the chain opens, decides
 * on its own who is selected (it computes each verifier's VRF output and applies the lottery to
 * its own balances), which votes follow from the roles, what the round decides, and how credit
 * moves. The chain must accept exactly the votes the model sends, reach the outcome the model
 * predicts for every round, and end with the model's balance for every HSM. Absence charges are
 * the one input the model takes from the chain (the chain's O(1) accumulator is a different
 * computation of the same expectation); the model checks them against its own per-round sum.
 */
class AttestationSimulationTest {
    static final int HONEST = 30;
    static final int LAZY = 8;
    static final int LIARS = 7;
    static final int COMPROMISED = 5;
    static final int N = HONEST + LAZY + LIARS + COMPROMISED;
    static final long GRANT = 1_000_000;
    static final long INCOME = 10_000;
    static final long RA_COST = 1_000;
    static final long BONUS = 2_000;
    static final long DISSENT = 20_000;
    static final long ABSENCE = 5_000;
    static final long FAIL_PENALTY = 50_000;
    static final long MIN_BALANCE = 100_000;
    static final int COMMITTEE = 10;
    static final long QUORUM_BPS = 5_000;
    static final int BLOCKS = 115;

    enum Role { HONEST, LAZY, LIAR, COMPROMISED }

    private static final HexFormat HEX = HexFormat.of();

    @TempDir
    Path tmp;

    /** The model's view of one round. */
    static final class ModelRound {
        final long id;
        final int testee;
        final byte[] seed;
        final Map<Integer, Long> weightAtOpening = new TreeMap<>();
        final Map<Integer, Verdict> votes = new LinkedHashMap<>();

        ModelRound(long id, int testee, byte[] seed) {
            this.id = id;
            this.testee = testee;
            this.seed = seed;
        }
    }

    final long[] balance = new long[N];
    final HsmState[] state = new HsmState[N];
    final double[] modelOwed = new double[N];
    final long[] modelCast = new long[N];

    @Test
    void fiftyHsmsOverTwoHundredRoundsMatchTheModel() throws Exception {
        Map<String, Long> p = new TreeMap<>();
        p.put(Param.ATTESTATION_COMMITTEE_SIZE.id(), (long) COMMITTEE);
        p.put(Param.ATTESTATION_QUORUM_BPS.id(), QUORUM_BPS);
        p.put(Param.ATTESTATION_WINDOW.id(), 3L);
        p.put(Param.ATTESTATION_PERIOD.id(), 20L);
        p.put(Param.ATTESTATION_MAX_VOTES.id(), 100L);
        p.put(Param.ATTESTATION_ABSENCE_TOLERANCE.id(), 2L);
        p.put(Param.ATTESTATION_FAIL_PENALTY.id(), FAIL_PENALTY);
        p.put(Param.CREDIT_ACTIVATION_GRANT.id(), GRANT);
        p.put(Param.CREDIT_MIN_BALANCE.id(), MIN_BALANCE);
        try (AttestationHarness h = new AttestationHarness(tmp, p)) {
            List<Hsm> hsms = h.seedHsms(N, new Random(2026));
            Map<String, Integer> index = new HashMap<>();
            Role[] roles = new Role[N];
            for (int i = 0; i < N; i++) {
                index.put(HEX.formatHex(hsms.get(i).id()), i);
                roles[i] = i < HONEST ? Role.HONEST : i < HONEST + LAZY ? Role.LAZY : i < HONEST + LAZY + LIARS ? Role.LIAR : Role.COMPROMISED;
                state[i] = HsmState.HSM_STATE_PENDING;
            }
            h.okBlock(hsms.stream().map(h::bootstrap).toArray(byte[][]::new));
            for (int i = 0; i < N; i++) {
                balance[i] = GRANT;
                state[i] = HsmState.HSM_STATE_ACTIVE;
            }
            assertBalancesMatch(h, hsms);

            Map<Long, ModelRound> open = new HashMap<>();
            List<byte[]> nextVotes = new ArrayList<>();
            int closed = 0;
            Map<String, Integer> outcomes = new TreeMap<>();
            for (int b = 0; b < BLOCKS; b++) {
                ResponseFinalizeBlock res = h.block(nextVotes);
                for (int i = 0; i < res.getTxResultsCount(); i++) {
                    assertThat(res.getTxResults(i).getCode()).as("vote %d at height %d: %s", i, h.height, res.getTxResults(i).getLog()).isZero();
                }
                nextVotes = new ArrayList<>();
                Map<Integer, Long> absence = new HashMap<>();
                for (Event e : res.getEventsList()) {
                    Map<String, String> a = attributes(e);
                    switch (e.getType()) {
                        case "attestation.absence_charged" -> {
                            int who = index.get(a.get("hsm_id"));
                            absence.put(who, Long.parseLong(a.get("amount")));
                            long owed = Long.parseLong(a.get("owed"));
                            assertThat((double) owed).as("chain's owed votes vs the model's per-round sum for %d", who)
                                    .isCloseTo(modelOwed[who], org.assertj.core.data.Offset.offset(1.5 + 0.1 * modelOwed[who]));
                            assertThat(Long.parseLong(a.get("cast"))).isEqualTo(modelCast[who]);
                        }
                        case "attestation.round_closed" -> {
                            ModelRound r = open.remove(Long.parseLong(a.get("round")));
                            String predicted = settle(r, roles);
                            assertThat(a.get("outcome")).as("round %d", r.id).isEqualTo(predicted);
                            outcomes.merge(predicted, 1, Integer::sum);
                            Long charged = absence.remove(r.testee);
                            if (charged != null) {
                                burn(r.testee, charged);
                            }
                            // Every close starts the testee's liveness interval afresh (the model
                            // accrues owed votes only while ACTIVE, as the chain settles only then).
                            resetLiveness(r.testee);
                            closed++;
                        }
                        case "attestation.round_opened" -> {
                            ModelRound r = new ModelRound(Long.parseLong(a.get("round")), index.get(a.get("testee")), HEX.parseHex(a.get("seed")));
                            open.put(r.id, r);
                            nextVotes.addAll(vote(h, hsms, roles, r));
                        }
                        default -> { }
                    }
                }
                assertThat(absence).as("every absence charge belongs to a closing round").isEmpty();
                assertBalancesMatch(h, hsms);
            }

            assertThat(closed).as("rounds closed").isGreaterThanOrEqualTo(200);
            for (int i = 0; i < N; i++) {
                assertThat(h.state(hsms.get(i))).as("state of %d (%s)", i, roles[i]).isEqualTo(state[i]);
                switch (roles[i]) {
                    case COMPROMISED -> assertThat(state[i]).isEqualTo(HsmState.HSM_STATE_SUSPENDED);
                    case LIAR, LAZY -> assertThat(balance[i]).as("%s %d loses credit", roles[i], i).isLessThan(GRANT);
                    case HONEST -> assertThat(balance[i]).as("honest %d gains", i).isGreaterThan(GRANT);
                }
            }
            long lazyCharged = 0;
            for (int i = HONEST; i < HONEST + LAZY; i++) {
                lazyCharged += new AttestationKeeper(h.view()).liveness(hsms.get(i).id()).map(Liveness::getAbsencesCharged).orElse(0L);
            }
            assertThat(lazyCharged).as("lazy verifiers are charged for absence").isPositive();
            System.out.printf("simulation: %d rounds closed %s over %d blocks%n", closed, outcomes, BLOCKS);
        }
    }

    /** The model decides who is selected and what each selected verifier votes. */
    private List<byte[]> vote(AttestationHarness h, List<Hsm> hsms, Role[] roles, ModelRound r) throws Exception {
        long total = 0;
        for (long b : balance) {
            total += b;
        }
        List<byte[]> txs = new ArrayList<>();
        byte[] alpha = Sortition.alpha(AttestationHarness.CHAIN, r.id, r.seed);
        for (int i = 0; i < N; i++) {
            if (balance[i] > 0 && state[i] == HsmState.HSM_STATE_ACTIVE && i != r.testee) {
                modelOwed[i] += Math.min(1.0, (double) COMMITTEE * balance[i] / total);
            }
            if (i == r.testee || state[i] != HsmState.HSM_STATE_ACTIVE || balance[i] < MIN_BALANCE || roles[i] == Role.LAZY) {
                continue;
            }
            byte[] proof = hsms.get(i).vrf().prove(alpha);
            // Naive lottery on the model's own balances: β/2^256 < τ·b/B.
            BigInteger beta = new BigInteger(1, EcVrf.proofToHash(proof));
            boolean selected = beta.multiply(BigInteger.valueOf(total))
                    .compareTo(BigInteger.valueOf(COMMITTEE).multiply(BigInteger.valueOf(balance[i])).shiftLeft(256)) < 0;
            if (!selected) {
                continue;
            }
            boolean truth = roles[r.testee] != Role.COMPROMISED;
            boolean says = roles[i] == Role.LIAR ? !truth : truth;
            Verdict verdict = says ? Verdict.VERDICT_PASS : Verdict.VERDICT_FAIL;
            r.weightAtOpening.put(i, balance[i]);
            r.votes.put(i, verdict);
            modelCast[i]++;
            txs.add(h.voteTx(AttestationHarness.vote(h.round(r.id), hsms.get(i), verdict, proof), hsms.get(i)));
        }
        return txs;
    }

    /** The model's aggregation and economics, in the chain's documented order. */
    private String settle(ModelRound r, Role[] roles) {
        long pass = 0;
        long fail = 0;
        for (var v : r.votes.entrySet()) {
            if (v.getValue() == Verdict.VERDICT_PASS) {
                pass += r.weightAtOpening.get(v.getKey());
            } else {
                fail += r.weightAtOpening.get(v.getKey());
            }
        }
        int quorum = (int) Math.max(1, (COMMITTEE * QUORUM_BPS + 9_999) / 10_000);
        String outcome;
        if (r.votes.size() < quorum) {
            outcome = "INCONCLUSIVE";
        } else if (3 * pass > 2 * (pass + fail)) {
            outcome = "PASS";
        } else if (3 * fail > 2 * (pass + fail)) {
            outcome = "FAIL";
        } else {
            outcome = "INCONCLUSIVE";
        }
        int t = r.testee;
        if (outcome.equals("PASS")) {
            if (state[t] == HsmState.HSM_STATE_SUSPENDED) {
                state[t] = HsmState.HSM_STATE_ACTIVE;
            }
            balance[t] += INCOME;
            burn(t, RA_COST);
        } else {
            burn(t, RA_COST);
        }
        if (outcome.equals("FAIL")) {
            burn(t, FAIL_PENALTY);
            if (state[t] == HsmState.HSM_STATE_ACTIVE) {
                state[t] = HsmState.HSM_STATE_SUSPENDED;
            }
        }
        if (!outcome.equals("INCONCLUSIVE")) {
            Verdict winning = outcome.equals("PASS") ? Verdict.VERDICT_PASS : Verdict.VERDICT_FAIL;
            // The chain pays voters in verifier-id order; balances are independent, so order
            // matters only for capping, which is per account.
            for (var v : r.votes.entrySet()) {
                if (v.getValue() == winning) {
                    balance[v.getKey()] += BONUS;
                } else {
                    burn(v.getKey(), DISSENT);
                }
            }
        }
        return outcome;
    }

    private void resetLiveness(int who) {
        modelOwed[who] = 0;
        modelCast[who] = 0;
    }

    private void burn(int who, long amount) {
        balance[who] = Math.max(0, balance[who] - amount);
    }

    private void assertBalancesMatch(AttestationHarness h, List<Hsm> hsms) {
        for (int i = 0; i < N; i++) {
            assertThat(h.balance(hsms.get(i))).as("balance of HSM %d at height %d", i, h.height).isEqualTo(balance[i]);
        }
    }

    private static Map<String, String> attributes(Event e) {
        Map<String, String> m = new HashMap<>();
        for (EventAttribute a : e.getAttributesList()) {
            m.put(a.getKey(), a.getValue());
        }
        return m;
    }
}
