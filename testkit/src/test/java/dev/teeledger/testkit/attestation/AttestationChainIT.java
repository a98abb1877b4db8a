package dev.teeledger.testkit.attestation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.teeledger.chain.light.VerifiedQueryClient;
import dev.teeledger.protocol.attestation.Sortition;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.state.v1.AkBinding;
import dev.teeledger.protocol.state.v1.AttestationRound;
import dev.teeledger.protocol.state.v1.CreditAccount;
import dev.teeledger.protocol.state.v1.CreditIndex;
import dev.teeledger.protocol.state.v1.FirmwareRecord;
import dev.teeledger.protocol.state.v1.HsmRecord;
import dev.teeledger.protocol.state.v1.HsmState;
import dev.teeledger.protocol.state.v1.LastAttestation;
import dev.teeledger.protocol.state.v1.OpenRound;
import dev.teeledger.protocol.state.v1.RoundStatus;
import dev.teeledger.protocol.state.v1.RoundVote;
import dev.teeledger.protocol.tpm.ClockInfo;
import dev.teeledger.protocol.tpm.CredentialActivation;
import dev.teeledger.protocol.tpm.MeasurementLog.Entry;
import dev.teeledger.protocol.tpm.MeasurementLog.Kind;
import dev.teeledger.protocol.tpm.MeasurementLog;
import dev.teeledger.protocol.tpm.PcrSelection;
import dev.teeledger.protocol.tpm.QuoteVerifier;
import dev.teeledger.protocol.tpm.TpmAlg;
import dev.teeledger.protocol.tpm.TpmEvidenceException;
import dev.teeledger.protocol.tpm.TpmtPublic;
import dev.teeledger.protocol.tx.TxBuilder;
import dev.teeledger.protocol.tx.v1.AttestationVote;
import dev.teeledger.protocol.tx.v1.BootstrapActivation;
import dev.teeledger.protocol.tx.v1.FirmwareApprove;
import dev.teeledger.protocol.tx.v1.FirmwareRetire;
import dev.teeledger.protocol.tx.v1.ManufacturerAdd;
import dev.teeledger.protocol.tx.v1.TpmClock;
import dev.teeledger.protocol.tx.v1.TxType;
import dev.teeledger.protocol.tx.v1.Verdict;
import dev.teeledger.protocol.tx.v1.VerdictReason;
import dev.teeledger.protocol.vrf.EcVrf;
import dev.teeledger.protocol.vrf.EcVrfKeyPair;
import dev.teeledger.testkit.chain.ChainTxs;
import dev.teeledger.testkit.cometbft.LocalChain;
import dev.teeledger.testkit.fixtures.GovernanceFixture;
import dev.teeledger.testkit.swtpm.JoinTransactions;
import dev.teeledger.testkit.swtpm.ProvisionedTpm;
import dev.teeledger.testkit.swtpm.SwtpmAttestor;
import dev.teeledger.testkit.swtpm.SwtpmFixture.AkAlgorithm;
import dev.teeledger.testkit.swtpm.SwtpmFixture;
import dev.teeledger.testkit.swtpm.TpmQuote;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Attestation rounds on a real CometBFT node with eight swtpm-backed HSMs and an honest verifier
 * driver. Four HSMs join and governance bootstraps them as the first verifiers; four more join
 * and are attested: the driver challenges each testee's TPM (credential activation against its
 * EK for its AK name, then a quote over a fresh nonce with its measurement log), judges the
 * evidence with the {@code protocol} verifier against the chain's firmware allow-list, and
 * votes with its VRF proof, signed by its own TPM node key. One testee measured a firmware hash
 * governance never approved: it is voted FAIL and SUSPENDED, the others become ACTIVE. Every
 * balance, read with a light-client-verified proof, is what the economics parameters give for
 * the rounds and votes the chain recorded.
 */
class AttestationChainIT {
    private static final GovernanceFixture GOV = new GovernanceFixture(3, 2);
    private static final int N = 8;
    private static final int BAD = 7;
    private static final long GRANT = 1_000_000;
    private static final long INCOME = 10_000;
    private static final long RA_COST = 1_000;
    private static final long BONUS = 2_000;
    private static final long DISSENT = 20_000;
    private static final long FAIL_PENALTY = 50_000;
    private static final String SELECTION_TEXT = "sha256:16";
    private static final List<PcrSelection> SELECTION = List.of(new PcrSelection(TpmAlg.SHA256, new byte[] {0, 0, 1}));
    private static final HexFormat HEX = HexFormat.of();
    private static final SecureRandom RANDOM = new SecureRandom();

    private static SwtpmFixture tpms;
    private static LocalChain chain;
    private static VerifiedQueryClient client;
    private static final byte[][] ids = new byte[N][];
    private static final EcVrfKeyPair[] vrf = new EcVrfKeyPair[N];
    private static final List<List<Entry>> logs = new ArrayList<>();
    private static long govNonce;

    @BeforeAll
    static void start() throws Exception {
        AkAlgorithm[] aks = new AkAlgorithm[N];
        Arrays.fill(aks, AkAlgorithm.RSA);
        tpms = SwtpmFixture.start(aks);
        Map<String, String> params = new TreeMap<>();
        // Blocks come every ~0.3 s and an honest check runs several tpm2-tools commands.
        params.put("attestation.window", "40");
        params.put("attestation.period", "100000");
        params.put("attestation.committee_size", "16");
        params.put("attestation.quorum_bps", "1500");
        params.put("attestation.max_retries", "5");
        params.put("attestation.absence_tolerance", "1000");
        params.put("attestation.income", Long.toString(INCOME));
        params.put("attestation.ra_cost", Long.toString(RA_COST));
        params.put("attestation.verifier_bonus", Long.toString(BONUS));
        params.put("attestation.dissent_penalty", Long.toString(DISSENT));
        params.put("attestation.fail_penalty", Long.toString(FAIL_PENALTY));
        params.put("credit.activation_grant", Long.toString(GRANT));
        chain = LocalChain.builder().chainId("attestation-it").appState(GOV.appState(params)).build().start();
        client = chain.verifiedQueryClient();
        for (int i = 0; i < N; i++) {
            ids[i] = JoinTransactions.hsmId(tpms.tpm(i));
            vrf[i] = EcVrf.generate(RANDOM);
            List<Entry> log = List.of(
                    entry(Kind.FIRMWARE, i == BAD ? "hsm-fw-0.9-unapproved" : "hsm-fw-1.0"),
                    entry(Kind.WASM, "policy.wasm"));
            for (Entry e : log) {
                SwtpmAttestor.extend(tpms.tpm(i), e);
            }
            logs.add(log);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (chain != null) {
            chain.close();
        }
        if (tpms != null) {
            tpms.close();
        }
    }

    @Test
    void newHsmsBecomeActiveThroughRoundsAndABadFirmwareIsSuspended() throws Exception {
        gov(TxType.TX_TYPE_MANUFACTURER_ADD, ManufacturerAdd.newBuilder().setName("swtpm localca")
                .setRootCertificate(ByteString.copyFrom(tpms.rootCertificate())).build());
        gov(TxType.TX_TYPE_FIRMWARE_APPROVE, approve("hsm-fw", "1.0", logs.get(0).get(0)));
        gov(TxType.TX_TYPE_FIRMWARE_APPROVE, approve("policy", "1", logs.get(0).get(1)));

        Map<Integer, Long> bootstrapHeight = new HashMap<>();
        for (int i = 0; i < 4; i++) {
            accepted(ChainTxs.commit(chain, JoinTransactions.join(chain.chainId(), tpms.tpm(i), vrf[i].publicKey().encoded())));
        }
        for (int i = 0; i < 4; i++) {
            JsonNode res = gov(TxType.TX_TYPE_ATTESTATION_BOOTSTRAP, BootstrapActivation.newBuilder()
                    .setHsmId(ByteString.copyFrom(ids[i])).setReason("first verifiers").build());
            bootstrapHeight.put(i, res.path("height").asLong());
        }
        for (int i = 4; i < N; i++) {
            accepted(ChainTxs.commit(chain, JoinTransactions.join(chain.chainId(), tpms.tpm(i), vrf[i].publicKey().encoded())));
        }

        Set<String> tried = new HashSet<>();
        long deadline = System.nanoTime() + 150_000_000_000L;
        while (System.nanoTime() < deadline) {
            boolean anyOpen = false;
            for (int t = 0; t < N; t++) {
                JsonNode open = ChainTxs.query(chain, "/attestation/open/" + HEX.formatHex(ids[t]), new byte[0], 0, false);
                if (open.path("code").asInt() != 0) {
                    continue;
                }
                anyOpen = true;
                long roundId = OpenRound.parseFrom(ChainTxs.value(open)).getRoundId();
                AttestationRound round = AttestationRound.parseFrom(ChainTxs.value(
                        ChainTxs.query(chain, "/attestation/round/" + roundId, new byte[0], 0, false)));
                for (int v = 0; v < N; v++) {
                    if (v == t || !tried.add(roundId + "/" + v) || state(v) != HsmState.HSM_STATE_ACTIVE) {
                        continue;
                    }
                    JsonNode res = ChainTxs.sync(chain, honestVote(round, t, v));
                    int code = res.path("code").asInt();
                    // A round opened before the verifier held credit does not admit it (the
                    // retry will), and a slow verifier may miss a window: legitimate answers.
                    assertThat(code).as("vote of %d on round %d: %s", v, roundId, res).isIn(0,
                            ResultCode.VOTER_BELOW_MIN_BALANCE.code(), ResultCode.VOTER_NOT_SELECTED.code(), ResultCode.ROUND_CLOSED.code());
                }
            }
            if (!anyOpen && state(4) != HsmState.HSM_STATE_PENDING && state(BAD) != HsmState.HSM_STATE_PENDING) {
                break;
            }
            Thread.sleep(300);
        }

        for (int i = 0; i < N; i++) {
            HsmRecord r = HsmRecord.parseFrom(client.query("/hsm/" + HEX.formatHex(ids[i]), utf8("hsm/rec/" + HEX.formatHex(ids[i]))).value());
            assertThat(r.getState()).as("HSM %d", i).isEqualTo(i == BAD ? HsmState.HSM_STATE_SUSPENDED : HsmState.HSM_STATE_ACTIVE);
        }
        for (int i = 4; i < BAD; i++) {
            AkBinding b = AkBinding.parseFrom(client.query("/attestation/binding/" + HEX.formatHex(ids[i]),
                    utf8("attestation/binding/" + HEX.formatHex(ids[i]))).value());
            assertThat(b.getBootstrap()).isFalse();
            assertThat(b.getRoundId()).isPositive();
            LastAttestation last = LastAttestation.parseFrom(client.query("/attestation/last/" + HEX.formatHex(ids[i]),
                    utf8("attestation/last/" + HEX.formatHex(ids[i]))).value());
            assertThat(last.getMeasuredFirmwareList()).containsExactly(
                    ByteString.copyFrom(logs.get(i).get(0).sha256()), ByteString.copyFrom(logs.get(i).get(1).sha256()));
            assertThat(last.getTpmClock().getClock()).as("the quote's clock is the next baseline").isPositive();
        }
        assertThat(client.query("/attestation/binding/" + HEX.formatHex(ids[BAD]),
                utf8("attestation/binding/" + HEX.formatHex(ids[BAD]))).valueIfPresent()).isEmpty();

        // Replay the economics from the recorded rounds and votes, in height order.
        long[] expected = new long[N];
        TreeMap<Long, List<Runnable>> byHeight = new TreeMap<>();
        for (var e : bootstrapHeight.entrySet()) {
            int who = e.getKey();
            byHeight.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(() -> expected[who] += GRANT);
        }
        boolean sawBadFail = false;
        for (long id = 1; ; id++) {
            var q = client.query("/attestation/round/" + id, utf8(String.format("attestation/round/%020d", id)));
            if (q.valueIfPresent().isEmpty()) {
                break;
            }
            AttestationRound r = AttestationRound.parseFrom(q.value());
            assertThat(r.getStatus()).as("round %d closed", id).isNotEqualTo(RoundStatus.ROUND_STATUS_OPEN);
            int t = indexOf(r.getTestee().toByteArray());
            List<int[]> votes = new ArrayList<>();   // {verifier, pass?1:0}
            for (int v = 0; v < N; v++) {
                var vq = client.query("/attestation/vote/" + id + "/" + HEX.formatHex(ids[v]),
                        utf8(String.format("attestation/vote/%020d/%s", id, HEX.formatHex(ids[v]))));
                if (vq.valueIfPresent().isPresent()) {
                    RoundVote vote = RoundVote.parseFrom(vq.value());
                    votes.add(new int[] {v, vote.getVerdict() == Verdict.VERDICT_PASS ? 1 : 0});
                    if (t == BAD) {
                        assertThat(vote.getReason()).isEqualTo(VerdictReason.VERDICT_REASON_FIRMWARE_NOT_APPROVED);
                    }
                }
            }
            RoundStatus status = r.getStatus();
            if (t == BAD && status == RoundStatus.ROUND_STATUS_FAIL) {
                sawBadFail = true;
            }
            boolean firstPass = status == RoundStatus.ROUND_STATUS_PASS && t >= 4;
            byHeight.computeIfAbsent(r.getClosedHeight(), k -> new ArrayList<>()).add(() -> {
                if (status == RoundStatus.ROUND_STATUS_PASS) {
                    expected[t] += (firstPass ? GRANT : 0) + INCOME;
                    expected[t] = Math.max(0, expected[t] - RA_COST);
                } else {
                    expected[t] = Math.max(0, expected[t] - RA_COST);
                }
                if (status == RoundStatus.ROUND_STATUS_FAIL) {
                    expected[t] = Math.max(0, expected[t] - FAIL_PENALTY);
                }
                if (status != RoundStatus.ROUND_STATUS_INCONCLUSIVE) {
                    int winning = status == RoundStatus.ROUND_STATUS_PASS ? 1 : 0;
                    for (int[] vote : votes) {
                        expected[vote[0]] = vote[1] == winning ? expected[vote[0]] + BONUS : Math.max(0, expected[vote[0]] - DISSENT);
                    }
                }
            });
        }
        assertThat(sawBadFail).as("the bad-firmware HSM failed a round").isTrue();
        byHeight.values().forEach(list -> list.forEach(Runnable::run));
        for (int i = 0; i < N; i++) {
            assertThat(verifiedBalance(ids[i])).as("balance of HSM %d", i).isEqualTo(expected[i]);
        }

        // Governance retires the firmware: every ACTIVE HSM last attested running it is
        // SUSPENDED at the end of that block, found through the registry's by-firmware list.
        List<Integer> runningIt = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            JsonNode last = ChainTxs.query(chain, "/attestation/last/" + HEX.formatHex(ids[i]), new byte[0], 0, false);
            if (state(i) == HsmState.HSM_STATE_ACTIVE && last.path("code").asInt() == 0) {
                runningIt.add(i);
            }
        }
        assertThat(runningIt).as("the attested HSMs").contains(4, 5, 6);
        gov(TxType.TX_TYPE_FIRMWARE_RETIRE, FirmwareRetire.newBuilder()
                .setSha256(ByteString.copyFrom(logs.get(0).get(0).sha256())).setReason("CVE in hsm-fw 1.0").build());
        chain.waitForHeight(chain.height() + 2, java.time.Duration.ofSeconds(30));
        for (int i : runningIt) {
            assertThat(state(i)).as("HSM %d ran the retired firmware", i).isEqualTo(HsmState.HSM_STATE_SUSPENDED);
        }
    }

    /** What an honest verifier does for a round: challenge the testee's TPM and judge the evidence. */
    private static byte[] honestVote(AttestationRound round, int testee, int verifier) throws Exception {
        ProvisionedTpm tt = tpms.tpm(testee);
        HsmRecord record = HsmRecord.parseFrom(ChainTxs.value(
                ChainTxs.query(chain, "/hsm/" + HEX.formatHex(ids[testee]), new byte[0], 0, false)));
        TpmtPublic ek = TpmtPublic.parse(record.getEkPublic().toByteArray());
        TpmtPublic ak = TpmtPublic.parse(record.getAkPublic().toByteArray());
        byte[] nonce = sha(concat(utf8("nonce"), round.getSeed().toByteArray(), ids[verifier]));
        CredentialActivation.Challenge challenge = CredentialActivation.make(ek, ak.name(), RANDOM);
        byte[] secret = SwtpmAttestor.activate(tt, challenge.tpm2ToolsFile());
        TpmQuote quote = tpms.quote(tt, nonce, SELECTION_TEXT);
        byte[] log = MeasurementLog.of(logs.get(testee)).encode();
        long height = chain.height();
        Verdict verdict = Verdict.VERDICT_PASS;
        TpmClock clock = TpmClock.getDefaultInstance();
        VerdictReason reason = VerdictReason.VERDICT_REASON_OK;
        if (secret == null || !CredentialActivation.verifySecret(challenge.secret(), secret)) {
            verdict = Verdict.VERDICT_FAIL;
            reason = VerdictReason.VERDICT_REASON_ACTIVATION_FAILED;
        } else {
            try {
                JsonNode lastQ = ChainTxs.query(chain, "/attestation/last/" + HEX.formatHex(ids[testee]), new byte[0], 0, false);
                ClockInfo prior = null;
                if (lastQ.path("code").asInt() == 0) {
                    TpmClock c = LastAttestation.parseFrom(ChainTxs.value(lastQ)).getTpmClock();
                    prior = new ClockInfo(c.getResetCount(), c.getRestartCount(), c.getClock());
                }
                ClockInfo seen = new QuoteVerifier(true).verify(ak, null, nonce, SELECTION, quote.attest(), quote.signature(), log,
                        hash -> approved(hash, height), prior).clockInfo();
                clock = TpmClock.newBuilder().setClock(seen.clock()).setResetCount((int) seen.resetCount())
                        .setRestartCount((int) seen.restartCount()).build();
            } catch (TpmEvidenceException e) {
                verdict = Verdict.VERDICT_FAIL;
                reason = switch (e.reason()) {
                    case FIRMWARE_NOT_APPROVED -> VerdictReason.VERDICT_REASON_FIRMWARE_NOT_APPROVED;
                    case NONCE_MISMATCH -> VerdictReason.VERDICT_REASON_NONCE_MISMATCH;
                    case PCR_DIGEST_MISMATCH -> VerdictReason.VERDICT_REASON_PCR_MISMATCH;
                    case BAD_SIGNATURE -> VerdictReason.VERDICT_REASON_BAD_QUOTE_SIGNATURE;
                    case COUNTER_ROLLBACK -> VerdictReason.VERDICT_REASON_COUNTER_ROLLBACK;
                    default -> VerdictReason.VERDICT_REASON_MALFORMED_EVIDENCE;
                };
            }
        }
        byte[] digest = sha(concat(nonce, quote.attest(), quote.signature(), log, challenge.idObject(), challenge.encryptedSecret()));
        byte[] alpha = Sortition.alpha(chain.chainId(), round.getId(), round.getSeed().toByteArray());
        AttestationVote.Builder vote = AttestationVote.newBuilder()
                .setRoundId(round.getId())
                .setVerifierId(ByteString.copyFrom(ids[verifier]))
                .setVerdict(verdict)
                .setReason(reason)
                .setEvidenceDigest(ByteString.copyFrom(digest))
                .setVrfProof(ByteString.copyFrom(vrf[verifier].prove(alpha)))
                .setTpmClock(clock);
        for (Entry e : logs.get(testee)) {
            vote.addMeasuredFirmware(ByteString.copyFrom(e.sha256()));
        }
        return TxBuilder.forChain(chain.chainId()).type(TxType.TX_TYPE_ATTESTATION_VOTE).payload(vote.build())
                .nonce(0).signer(JoinTransactions.nodeSigner(tpms.tpm(verifier))).build();
    }

    /** The chain's allow-list at {@code height}, read over RPC. */
    private static boolean approved(byte[] hash, long height) {
        try {
            JsonNode q = ChainTxs.query(chain, "/firmware/" + HEX.formatHex(hash), new byte[0], 0, false);
            if (q.path("code").asInt() != 0) {
                return false;
            }
            FirmwareRecord f = FirmwareRecord.parseFrom(ChainTxs.value(q));
            return f.getRetiredHeight() == 0 && f.getValidFromHeight() <= height
                    && (f.getValidUntilHeight() == 0 || height < f.getValidUntilHeight());
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the allow-list", e);
        }
    }

    private static HsmState state(int i) throws Exception {
        JsonNode q = ChainTxs.query(chain, "/hsm/" + HEX.formatHex(ids[i]), new byte[0], 0, false);
        return q.path("code").asInt() != 0 ? HsmState.HSM_STATE_UNSPECIFIED : HsmRecord.parseFrom(ChainTxs.value(q)).getState();
    }

    private static long verifiedBalance(byte[] hsm) throws Exception {
        String hex = HEX.formatHex(hsm);
        VerifiedQueryClient.VerifiedValue acct = client.query("/credit/balance/" + hex, utf8("credit/acct/" + hex));
        CreditIndex index = CreditIndex.parseFrom(client.query("/credit/index", utf8("credit/index")).value());
        assertThat(index.getUpdatedHeight()).as("no normalization in this test").isLessThanOrEqualTo(acct.height());
        BigInteger shares = acct.valueIfPresent().isEmpty() ? BigInteger.ZERO
                : new BigInteger(1, CreditAccount.parseFrom(acct.value()).getShares().toByteArray());
        return shares.multiply(BigInteger.valueOf(index.getMantissa())).shiftRight(index.getExponent()).longValueExact();
    }

    private static JsonNode gov(TxType type, com.google.protobuf.Message payload) throws Exception {
        JsonNode res = ChainTxs.commit(chain, TxBuilder.forChain(chain.chainId()).type(type).payload(payload)
                .nonce(govNonce++).signers(GOV.first(2)).build());
        accepted(res);
        return res;
    }

    /**
     * Approved from a few blocks ahead with no end: no entry is approved retroactively, and a
     * window that starts before the including block would be evicted by the mempool re-check.
     */
    private static FirmwareApprove approve(String component, String version, Entry e) throws Exception {
        return FirmwareApprove.newBuilder().setComponent(component).setVersion(version)
                .setSha256(ByteString.copyFrom(e.sha256())).setValidFromHeight(chain.height() + 5).build();
    }

    private static void accepted(JsonNode res) {
        assertThat(res.path("check_tx").path("code").asInt()).as(res.toString()).isZero();
        assertThat(res.path("tx_result").path("code").asInt()).as(res.toString()).isZero();
    }

    private static int indexOf(byte[] id) {
        for (int i = 0; i < N; i++) {
            if (Arrays.equals(ids[i], id)) {
                return i;
            }
        }
        throw new AssertionError("unknown HSM " + HEX.formatHex(id));
    }

    private static Entry entry(Kind kind, String label) throws Exception {
        return new Entry(16, kind, sha(utf8(label)), label);
    }

    private static byte[] sha(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
