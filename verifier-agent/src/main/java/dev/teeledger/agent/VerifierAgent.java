package dev.teeledger.agent;

import com.google.protobuf.ByteString;
import dev.teeledger.protocol.attestation.Sortition;
import dev.teeledger.protocol.state.v1.AttestationRound;
import dev.teeledger.protocol.state.v1.FirmwareRecord;
import dev.teeledger.protocol.state.v1.HsmRecord;
import dev.teeledger.protocol.state.v1.HsmState;
import dev.teeledger.protocol.state.v1.LastAttestation;
import dev.teeledger.protocol.state.v1.RoundStatus;
import dev.teeledger.protocol.tpm.ClockInfo;
import dev.teeledger.protocol.tpm.CredentialActivation;
import dev.teeledger.protocol.tpm.FirmwareAllowList;
import dev.teeledger.protocol.tpm.MeasurementLog;
import dev.teeledger.protocol.tpm.PcrSelection;
import dev.teeledger.protocol.tpm.QuoteVerifier;
import dev.teeledger.protocol.tpm.TpmAlg;
import dev.teeledger.protocol.tpm.TpmEvidenceException;
import dev.teeledger.protocol.tpm.TpmFormatException;
import dev.teeledger.protocol.tpm.TpmtPublic;
import dev.teeledger.protocol.tx.TxBuilder;
import dev.teeledger.protocol.tx.v1.AttestationVote;
import dev.teeledger.protocol.tx.v1.TpmClock;
import dev.teeledger.protocol.tx.v1.TxType;
import dev.teeledger.protocol.tx.v1.Verdict;
import dev.teeledger.protocol.tx.v1.VerdictReason;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The verifier agent of one HSM: the production form of the honest verifier of
 * {@code AttestationChainIT}, talking to tpm-sidecars instead of tpm2-tools.
 *
 * <p>Each {@link #pollOnce()} walks round ids upward from the first one it has not read
 * ({@code /attestation/round/<id>} until absent, at most {@code maxRoundsPerPoll}; round ids are
 * dense and increasing, so this finds every round, bounded per poll). For each round still OPEN
 * it: skips its own; checks that its HSM is ACTIVE (if not, it looks at the round again at the
 * next polls while the round stays open); asks its own sidecar for the VRF over
 * {@link Sortition#alpha}; reads its shares at the opening height and checks
 * {@link Sortition#selected} against the round's snapshot and τ, and its credit against
 * {@code credit.min_balance}, so it does no work when the chain would refuse its vote. When
 * selected it challenges the testee's sidecar (endpoint from {@link EndpointResolver}):
 * MakeCredential for the testee's AK name under its recorded EK, then a quote over a fresh
 * {@link SecureRandom} nonce, verified with {@link QuoteVerifier} against the allow-list at the
 * current height and the last PASS's clock baseline. It builds the {@link AttestationVote}, has
 * its own sidecar sign it ({@link SidecarSigner}), submits it with broadcast_tx_sync and polls
 * {@code /tx} until it is in a block.
 *
 * <p>Bounded: every call has a timeout (the clients), every step at most {@code maxAttempts}
 * tries with backoff, and a round is abandoned when the chain reaches
 * {@code deadline_height − deadlineMarginBlocks} or the round's wall-clock budget runs out. A
 * submission is retried with the same bytes, so a retry can never make a second vote (nonce 0,
 * and the chain refuses duplicates anyway). Not thread-safe: one thread polls.
 */
public final class VerifierAgent {
    private static final System.Logger LOG = System.getLogger(VerifierAgent.class.getName());
    private static final HexFormat HEX = HexFormat.of();
    private static final int MAX_FIRMWARE = 64;

    /** How the agent waits between tries; tests pass one that does not sleep. */
    @FunctionalInterface
    public interface Pause {
        void pause(Duration d) throws InterruptedException;
    }

    private final AgentConfig config;
    private final ChainView chain;
    private final SidecarClient own;
    private final EndpointResolver resolver;
    private final Function<URI, SidecarClient> testeeClients;
    private final SecureRandom random;
    private final Pause pause;
    private final LongSupplier nanoTime;

    private final AtomicLong seen = new AtomicLong();
    private final AtomicLong selected = new AtomicLong();
    private final AtomicLong voted = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    private byte[] self;
    private SidecarSigner signer;
    private long nextRoundId;
    private final java.util.TreeSet<Long> deferred = new java.util.TreeSet<>();
    private volatile boolean stopped;

    /**
     * @param config        settings
     * @param chain         chain reads and submissions
     * @param own           this HSM's own sidecar (identity, VRF, signatures)
     * @param resolver      where a testee's sidecar answers
     * @param testeeClients a client for a testee sidecar's base URL (e.g. {@code HttpSidecarClient} with timeouts)
     * @param random        nonces and MakeCredential secrets
     * @param pause         waits between tries and polls ({@code Thread::sleep} in production)
     * @param nanoTime      monotonic clock for the round budget ({@code System::nanoTime} in production)
     */
    public VerifierAgent(AgentConfig config, ChainView chain, SidecarClient own, EndpointResolver resolver,
            Function<URI, SidecarClient> testeeClients, SecureRandom random, Pause pause, LongSupplier nanoTime) {
        this.config = Objects.requireNonNull(config, "config");
        this.chain = Objects.requireNonNull(chain, "chain");
        this.own = Objects.requireNonNull(own, "own");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.testeeClients = Objects.requireNonNull(testeeClients, "testeeClients");
        this.random = Objects.requireNonNull(random, "random");
        this.pause = Objects.requireNonNull(pause, "pause");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.nextRoundId = config.firstRoundId();
    }

    /** Production wiring: sleeping pauses and the system's monotonic clock. */
    public VerifierAgent(AgentConfig config, ChainView chain, SidecarClient own, EndpointResolver resolver,
            Function<URI, SidecarClient> testeeClients) {
        this(config, chain, own, resolver, testeeClients, new SecureRandom(), d -> Thread.sleep(d.toMillis()), System::nanoTime);
    }

    /**
     * Reads this HSM's identity from its sidecar (retrying while it is unavailable) and prepares
     * the signer. Called once before polling; {@link #pollOnce()} calls it if needed.
     *
     * @throws SidecarException when the sidecar cannot give an identity, or it is for another chain
     */
    public void init() throws SidecarException, InterruptedException {
        SidecarClient.Identity id = null;
        for (int attempt = 1; id == null; attempt++) {
            try {
                id = own.identity();
            } catch (SidecarException e) {
                if (!e.retryable() || attempt >= config.maxAttempts()) {
                    throw e;
                }
                pause.pause(backoff(attempt));
            }
        }
        if (!config.chainId().equals(id.chainId())) {
            throw new SidecarException(SidecarException.Kind.FAILED_PRECONDITION,
                    "sidecar is bound to chain '" + id.chainId() + "', the agent to '" + config.chainId() + "'");
        }
        this.signer = SidecarSigner.forIdentity(own, id);
        this.self = id.hsmId().clone();
    }

    /** This HSM's id (after {@link #init()}). */
    public byte[] hsmId() {
        return self == null ? null : self.clone();
    }

    /** The participation counters. */
    public AgentMetrics metrics() {
        return new AgentMetrics(seen.get(), selected.get(), voted.get(), failed.get());
    }

    /** The next round id the walk will read. */
    public long nextRoundId() {
        return nextRoundId;
    }

    /** Asks {@link #run()} to return after the current poll. */
    public void stop() {
        stopped = true;
    }

    /** Polls until {@link #stop()} or an interrupt; a failed poll is logged and the next one tried. */
    public void run() throws SidecarException, InterruptedException {
        if (self == null) {
            init();
        }
        while (!stopped && !Thread.currentThread().isInterrupted()) {
            try {
                for (RoundReport r : pollOnce()) {
                    LOG.log(r.outcome() == RoundReport.Outcome.FAILED ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
                            "round {0}: {1} {2} {3}", r.roundId(), r.outcome(), r.verdict(), r.detail());
                }
            } catch (ChainAccessException e) {
                LOG.log(System.Logger.Level.WARNING, "poll failed: {0}", e.getMessage());
            }
            pause.pause(config.pollInterval());
        }
    }

    /**
     * One poll: reads the rounds opened since the last poll (at most {@code maxRoundsPerPoll})
     * and handles each OPEN one. Returns what it did per round, in id order.
     *
     * @throws ChainAccessException when the chain cannot be read at all (the walk resumes next poll)
     */
    public List<RoundReport> pollOnce() throws ChainAccessException, InterruptedException, SidecarException {
        if (self == null) {
            init();
        }
        List<RoundReport> reports = new ArrayList<>();
        // Rounds put aside while this HSM was not ACTIVE: look again while they stay open (an HSM
        // re-activated mid-window may still hold shares at opening). Bounded by the open rounds.
        List<Long> again = new ArrayList<>(deferred);
        deferred.clear();
        for (long id : again) {
            var round = chain.round(id);
            if (round.isPresent() && round.get().getStatus() == RoundStatus.ROUND_STATUS_OPEN) {
                reports.add(handle(round.get()));
            }
        }
        for (int i = 0; i < config.maxRoundsPerPoll(); i++) {
            var round = chain.round(nextRoundId);
            if (round.isEmpty()) {
                break;
            }
            nextRoundId++;
            AttestationRound r = round.get();
            if (r.getStatus() != RoundStatus.ROUND_STATUS_OPEN) {
                reports.add(RoundReport.of(r.getId(), RoundReport.Outcome.NOT_OPEN, r.getStatus().name()));
                continue;
            }
            seen.incrementAndGet();
            reports.add(handle(r));
        }
        return reports;
    }

    /** Everything the agent does for one OPEN round. Never throws for a round-level failure. */
    RoundReport handle(AttestationRound round) throws InterruptedException {
        long id = round.getId();
        Budget budget = new Budget(round);
        try {
            if (Arrays.equals(round.getTestee().toByteArray(), self)) {
                return RoundReport.of(id, RoundReport.Outcome.OWN_ROUND, "this HSM is the testee");
            }
            if (!budget.open()) {
                return RoundReport.of(id, RoundReport.Outcome.NOT_OPEN, "deadline " + round.getDeadlineHeight() + " reached");
            }
            var me = chain.hsm(self);
            if (me.isEmpty() || me.get().getState() != HsmState.HSM_STATE_ACTIVE) {
                deferred.add(id);
                return RoundReport.of(id, RoundReport.Outcome.NOT_ELIGIBLE,
                        "this HSM is " + me.map(h -> h.getState().name()).orElse("not registered"));
            }
            byte[] alpha = Sortition.alpha(config.chainId(), id, round.getSeed().toByteArray());
            SidecarClient.VrfResult vrf = retry("vrf", budget, () -> own.vrfProve(alpha));
            BigInteger weight = chain.sharesAt(self, round.getOpenedHeight());
            BigInteger total = Sortition.unsigned(round.getTotalShares());
            if (!Sortition.selected(vrf.output(), weight, total, round.getCommitteeSize())) {
                return RoundReport.of(id, RoundReport.Outcome.NOT_SELECTED, "weight " + weight + " of " + total);
            }
            long credit = chain.balanceOf(weight);
            long min = chain.param("credit.min_balance", 100_000);
            if (credit < min) {
                return RoundReport.of(id, RoundReport.Outcome.NOT_ELIGIBLE, "credit at opening " + credit + " < " + min);
            }
            selected.incrementAndGet();
            RoundReport report;
            try {
                report = vote(round, vrf, budget);
            } catch (ChainAccessException e) {
                report = RoundReport.of(id, RoundReport.Outcome.FAILED, "chain: " + e.getMessage());
            }
            (report.outcome() == RoundReport.Outcome.VOTED ? voted : failed).incrementAndGet();
            return report;
        } catch (StepFailed e) {
            failed.incrementAndGet();
            return RoundReport.of(id, RoundReport.Outcome.FAILED, e.getMessage());
        } catch (ChainAccessException e) {
            // Before selection is known this is not a failed participation, only an unread round.
            return RoundReport.of(id, RoundReport.Outcome.FAILED, "chain: " + e.getMessage());
        }
    }

    /** Selected: gather and judge the evidence, then sign, submit and track the vote. */
    private RoundReport vote(AttestationRound round, SidecarClient.VrfResult vrf, Budget budget)
            throws StepFailed, ChainAccessException, InterruptedException {
        long id = round.getId();
        byte[] testeeId = round.getTestee().toByteArray();
        HsmRecord testee = chain.hsm(testeeId).orElseThrow(() -> new StepFailed("testee " + HEX.formatHex(testeeId) + " not registered"));
        Judgement j = judge(testee, budget);
        if (j.verdict() == Verdict.VERDICT_FAIL && j.reason() == VerdictReason.VERDICT_REASON_UNREACHABLE && !config.voteUnreachable()) {
            return RoundReport.of(id, RoundReport.Outcome.FAILED, "testee unreachable, abstaining: " + j.detail());
        }
        AttestationVote.Builder vote = AttestationVote.newBuilder()
                .setRoundId(id)
                .setVerifierId(ByteString.copyFrom(self))
                .setVerdict(j.verdict())
                .setReason(j.reason())
                .setEvidenceDigest(ByteString.copyFrom(j.evidenceDigest()))
                .setVrfProof(ByteString.copyFrom(vrf.proof()))
                .setTpmClock(j.clock());
        j.firmware().forEach(f -> vote.addMeasuredFirmware(ByteString.copyFrom(f)));
        byte[] tx = retry("sign", budget, () -> {
            try {
                return TxBuilder.forChain(config.chainId()).type(TxType.TX_TYPE_ATTESTATION_VOTE).payload(vote.build())
                        .nonce(0).signer(signer).build();
            } catch (SidecarSigner.SigningFailed e) {
                throw e.sidecarCause();
            }
        });
        ChainView.Submission sub = retry("submit", budget, () -> {
            if (!budget.open()) {
                throw new StepFailed("deadline " + round.getDeadlineHeight() + " reached before submission");
            }
            return chain.submit(tx);
        });
        if (sub.code() != 0) {
            return new RoundReport(id, RoundReport.Outcome.FAILED, j.verdict(), j.reason(), sub.code(), "CheckTx refused: " + sub.log());
        }
        // Track to commit: the vote can land at most in the deadline block; look a little past it
        // (indexing lags a block) and never longer than the round's budget.
        int misses = 0;
        while (true) {
            java.util.Optional<ChainView.Committed> c;
            try {
                c = chain.committed(sub.hash());
                misses = 0;
            } catch (ChainAccessException e) {
                if (!e.retryable() || ++misses >= config.maxAttempts()) {
                    throw new StepFailed("tracking the vote: " + e.getMessage());
                }
                c = java.util.Optional.empty();
            }
            if (c.isPresent()) {
                Verdict v = j.verdict();
                return c.get().code() == 0
                        ? new RoundReport(id, RoundReport.Outcome.VOTED, v, j.reason(), 0, "committed at " + c.get().height() + "; " + j.detail())
                        : new RoundReport(id, RoundReport.Outcome.FAILED, v, j.reason(), c.get().code(), "block refused: " + c.get().log());
            }
            if (budget.expired() || chain.height() > round.getDeadlineHeight() + 1) {
                return new RoundReport(id, RoundReport.Outcome.FAILED, j.verdict(), j.reason(), -1, "vote not committed by the deadline");
            }
            pause.pause(config.commitPoll());
        }
    }

    /** The verdict on the testee and what backs it. */
    record Judgement(Verdict verdict, VerdictReason reason, byte[] evidenceDigest, List<byte[]> firmware, TpmClock clock,
            String detail) {}

    /** Credential activation, then a quote: each failure of the testee is a FAIL with its reason. */
    Judgement judge(HsmRecord testee, Budget budget) throws StepFailed, ChainAccessException, InterruptedException {
        Evidence ev = new Evidence();
        TpmtPublic ek;
        TpmtPublic ak;
        try {
            ek = TpmtPublic.parse(testee.getEkPublic().toByteArray());
            ak = TpmtPublic.parse(testee.getAkPublic().toByteArray());
        } catch (TpmFormatException e) {
            return ev.fail(VerdictReason.VERDICT_REASON_MALFORMED_EVIDENCE, "recorded key does not parse: " + e.getMessage());
        }
        SidecarClient client;
        try {
            client = testeeClients.apply(resolver.resolve(testee));
        } catch (SidecarException e) {
            return ev.fail(VerdictReason.VERDICT_REASON_UNREACHABLE, e.getMessage());
        } catch (IllegalArgumentException e) {
            return ev.fail(VerdictReason.VERDICT_REASON_UNREACHABLE, "bad endpoint: " + e.getMessage());
        }
        CredentialActivation.Challenge challenge;
        try {
            challenge = CredentialActivation.make(ek, ak.name(), random);
        } catch (TpmEvidenceException e) {
            return ev.fail(VerdictMapping.reasonFor(e.reason()), "MakeCredential: " + e.getMessage());
        }
        ev.idObject = challenge.idObject();
        ev.encryptedSecret = challenge.encryptedSecret();
        byte[] secret;
        try {
            secret = retry("activate", budget, () -> client.activateCredential(challenge.idObject(), challenge.encryptedSecret()));
        } catch (TesteeRefused e) {
            return ev.fail(VerdictMapping.reasonFor(e.cause, true), "activation: " + e.cause.getMessage());
        }
        if (!CredentialActivation.verifySecret(challenge.secret(), secret)) {
            return ev.fail(VerdictReason.VERDICT_REASON_ACTIVATION_FAILED, "activation returned another secret");
        }
        ev.nonce = new byte[config.nonceBytes()];
        random.nextBytes(ev.nonce);
        SidecarClient.Quote quote;
        try {
            quote = retry("quote", budget, () -> client.quote(ev.nonce, config.quotePcrs()));
        } catch (TesteeRefused e) {
            return ev.fail(VerdictMapping.reasonFor(e.cause, false), "quote: " + e.cause.getMessage());
        }
        ev.attest = quote.attest();
        ev.signature = quote.signature();
        ev.log = quote.measurementLog();
        long height = chain.height();
        ClockInfo prior = chain.lastAttestation(testee.getHsmId().toByteArray()).map(LastAttestation::getTpmClock)
                .map(c -> new ClockInfo(Integer.toUnsignedLong(c.getResetCount()), Integer.toUnsignedLong(c.getRestartCount()), c.getClock()))
                .orElse(null);
        AllowList allow = new AllowList(height);
        try {
            QuoteVerifier.VerifiedQuote v = new QuoteVerifier(true).verify(ak, null, ev.nonce, selection(), ev.attest,
                    ev.signature, ev.log, allow, prior);
            if (allow.failure != null) {
                throw new StepFailed("allow-list: " + allow.failure.getMessage());
            }
            ClockInfo seen = v.clockInfo();
            TpmClock clock = TpmClock.newBuilder().setClock(seen.clock()).setResetCount((int) seen.resetCount())
                    .setRestartCount((int) seen.restartCount()).build();
            return ev.pass(clock, v.log());
        } catch (TpmEvidenceException e) {
            if (allow.failure != null) {
                // The allow-list could not be read: that is our failure, not the testee's.
                throw new StepFailed("allow-list: " + allow.failure.getMessage());
            }
            return ev.fail(VerdictMapping.reasonFor(e.reason()), e.reason() + ": " + e.getMessage());
        }
    }

    private List<PcrSelection> selection() {
        byte[] bitmap = new byte[3];
        for (int pcr : config.quotePcrs()) {
            bitmap[pcr / 8] |= (byte) (1 << (pcr % 8));
        }
        return List.of(new PcrSelection(TpmAlg.SHA256, bitmap));
    }

    /** The chain's firmware allow-list at one height, read per hash; a read failure is remembered, not thrown. */
    private final class AllowList implements FirmwareAllowList {
        private final long height;
        ChainAccessException failure;

        AllowList(long height) {
            this.height = height;
        }

        @Override
        public boolean isApproved(byte[] sha256) {
            try {
                var f = chain.firmware(sha256);
                return f.isPresent() && approvedAt(f.get(), height);
            } catch (ChainAccessException e) {
                failure = e;
                return false;
            }
        }
    }

    /** Registry rule ({@code docs/registry.md}): not retired, valid from ≤ h, and h before its end if it has one. */
    static boolean approvedAt(FirmwareRecord f, long height) {
        return f.getRetiredHeight() == 0 && f.getValidFromHeight() <= height
                && (f.getValidUntilHeight() == 0 || height < f.getValidUntilHeight());
    }

    /** The evidence gathered so far, digested into the vote whatever the verdict. */
    private final class Evidence {
        byte[] nonce = new byte[0];
        byte[] attest = new byte[0];
        byte[] signature = new byte[0];
        byte[] log = new byte[0];
        byte[] idObject = new byte[0];
        byte[] encryptedSecret = new byte[0];

        /** SHA-256(nonce ‖ quote ‖ signature ‖ log ‖ activation transcript), as AttestationChainIT digests it. */
        byte[] digest() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (byte[] b : List.of(nonce, attest, signature, log, idObject, encryptedSecret)) {
                out.writeBytes(b);
            }
            return sha256(out.toByteArray());
        }

        Judgement pass(TpmClock clock, MeasurementLog verified) {
            return new Judgement(Verdict.VERDICT_PASS, VerdictReason.VERDICT_REASON_OK, digest(), firmwareOf(verified), clock, "PASS");
        }

        Judgement fail(VerdictReason reason, String detail) {
            MeasurementLog parsed = null;
            try {
                parsed = log.length == 0 ? null : MeasurementLog.parse(log);
            } catch (TpmEvidenceException e) {
                // a log that does not parse reports no firmware
            }
            return new Judgement(Verdict.VERDICT_FAIL, reason, digest(), firmwareOf(parsed), TpmClock.getDefaultInstance(), detail);
        }

        private List<byte[]> firmwareOf(MeasurementLog log) {
            if (log == null) {
                return List.of();
            }
            return log.entries().stream().limit(MAX_FIRMWARE).map(MeasurementLog.Entry::sha256).toList();
        }
    }

    // --- bounded retries ---

    @FunctionalInterface
    private interface Step<T> {
        T call() throws SidecarException, ChainAccessException, StepFailed;
    }

    /** A step of the round that cannot complete: the round is abandoned with this message. */
    static class StepFailed extends Exception {
        private static final long serialVersionUID = 1L;

        StepFailed(String message) {
            super(message, null, false, false);
        }
    }

    /** The testee's sidecar refused or never answered: a verdict, not an agent failure. */
    private static final class TesteeRefused extends StepFailed {
        private static final long serialVersionUID = 1L;
        final SidecarException cause;

        TesteeRefused(SidecarException cause) {
            super(cause.getMessage());
            this.cause = cause;
        }
    }

    /**
     * Runs {@code step} up to {@code maxAttempts} times while the round is open and its budget
     * lasts, pausing with doubling backoff after each retryable failure. A testee call
     * ({@code activate}, {@code quote}) that fails ends as {@link TesteeRefused}; any other as
     * {@link StepFailed}.
     */
    private <T> T retry(String what, Budget budget, Step<T> step) throws StepFailed, InterruptedException {
        boolean testeeCall = what.equals("activate") || what.equals("quote");
        for (int attempt = 1; ; attempt++) {
            try {
                return step.call();
            } catch (SidecarException e) {
                boolean last = !e.retryable() || attempt >= config.maxAttempts() || !budget.openQuietly();
                if (last) {
                    if (testeeCall) {
                        throw new TesteeRefused(e);
                    }
                    throw new StepFailed(what + ": " + e.getMessage());
                }
            } catch (ChainAccessException e) {
                if (!e.retryable() || attempt >= config.maxAttempts() || !budget.openQuietly()) {
                    throw new StepFailed(what + ": " + e.getMessage());
                }
            }
            pause.pause(backoff(attempt));
        }
    }

    private Duration backoff(int attempt) {
        return config.retryBackoff().multipliedBy(1L << Math.min(3, attempt - 1));
    }

    /** The round's time left: its deadline height (less the margin) and its wall-clock budget. */
    final class Budget {
        private final AttestationRound round;
        private final long until;

        Budget(AttestationRound round) {
            this.round = round;
            this.until = nanoTime.getAsLong() + config.roundBudget().toNanos();
        }

        boolean expired() {
            return nanoTime.getAsLong() - until > 0;
        }

        /** Whether work may continue: budget left and the chain below deadline − margin. */
        boolean open() throws ChainAccessException {
            return !expired() && chain.height() <= round.getDeadlineHeight() - config.deadlineMarginBlocks();
        }

        boolean openQuietly() {
            try {
                return open();
            } catch (ChainAccessException e) {
                return !expired();
            }
        }
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JRE", e);
        }
    }
}
