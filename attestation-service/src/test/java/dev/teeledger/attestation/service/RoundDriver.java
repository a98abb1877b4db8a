package dev.teeledger.attestation.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.teeledger.protocol.attestation.Sortition;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.state.v1.AttestationRound;
import dev.teeledger.protocol.state.v1.FirmwareRecord;
import dev.teeledger.protocol.state.v1.HsmRecord;
import dev.teeledger.protocol.state.v1.HsmState;
import dev.teeledger.protocol.state.v1.LastAttestation;
import dev.teeledger.protocol.state.v1.OpenRound;
import dev.teeledger.protocol.tpm.ClockInfo;
import dev.teeledger.protocol.tpm.CredentialActivation;
import dev.teeledger.protocol.tpm.MeasurementLog;
import dev.teeledger.protocol.tpm.MeasurementLog.Entry;
import dev.teeledger.protocol.tpm.MeasurementLog.Kind;
import dev.teeledger.protocol.tpm.PcrSelection;
import dev.teeledger.protocol.tpm.QuoteVerifier;
import dev.teeledger.protocol.tpm.TpmAlg;
import dev.teeledger.protocol.tpm.TpmEvidenceException;
import dev.teeledger.protocol.tpm.TpmtPublic;
import dev.teeledger.protocol.tx.TxBuilder;
import dev.teeledger.protocol.tx.v1.AttestationVote;
import dev.teeledger.protocol.tx.v1.BootstrapActivation;
import dev.teeledger.protocol.tx.v1.FirmwareApprove;
import dev.teeledger.protocol.tx.v1.ManufacturerAdd;
import dev.teeledger.protocol.tx.v1.TpmClock;
import dev.teeledger.protocol.tx.v1.TxType;
import dev.teeledger.protocol.tx.v1.Verdict;
import dev.teeledger.protocol.tx.v1.VerdictReason;
import dev.teeledger.protocol.vrf.EcVrf;
import dev.teeledger.protocol.vrf.EcVrfKeyPair;
import dev.teeledger.testkit.cometbft.LocalChain;
import dev.teeledger.testkit.services.ChainAndIndexerResource;
import dev.teeledger.testkit.swtpm.JoinTransactions;
import dev.teeledger.testkit.swtpm.ProvisionedTpm;
import dev.teeledger.testkit.swtpm.SwtpmAttestor;
import dev.teeledger.testkit.swtpm.SwtpmFixture;
import dev.teeledger.testkit.swtpm.SwtpmFixture.AkAlgorithm;
import dev.teeledger.testkit.swtpm.TpmQuote;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Produces real attestation rounds on the test chain, the way testkit's AttestationChainIT does:
 * swtpm-backed HSMs join, governance bootstraps the first {@code verifiers} of them as
 * verifiers, the rest join as testees, and an honest driver votes in every open round for each
 * ACTIVE verifier (credential activation against the testee's EK, a quote over a fresh nonce
 * with its measurement log, judged against the chain's allow-list). The last testee measured a
 * firmware governance never approved, so its round fails. (A test helper; the integrator may
 * move it into testkit next to ChainAndIndexerResource.)
 */
final class RoundDriver implements AutoCloseable {
    private static final String SELECTION_TEXT = "sha256:16";
    private static final List<PcrSelection> SELECTION = List.of(new PcrSelection(TpmAlg.SHA256, new byte[] {0, 0, 1}));
    private static final HexFormat HEX = HexFormat.of();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final LocalChain chain;
    private final SwtpmFixture tpms;
    private final int n;
    private final int verifiers;
    private final byte[][] ids;
    private final EcVrfKeyPair[] vrf;
    private final List<List<Entry>> logs = new ArrayList<>();
    private final Set<String> tried = new HashSet<>();
    private long govNonce;

    RoundDriver(LocalChain chain, int verifiers, int testees) throws Exception {
        this.chain = chain;
        this.n = verifiers + testees;
        this.verifiers = verifiers;
        AkAlgorithm[] aks = new AkAlgorithm[n];
        Arrays.fill(aks, AkAlgorithm.RSA);
        this.tpms = SwtpmFixture.start(aks);
        this.ids = new byte[n][];
        this.vrf = new EcVrfKeyPair[n];
        for (int i = 0; i < n; i++) {
            ids[i] = JoinTransactions.hsmId(tpms.tpm(i));
            vrf[i] = EcVrf.generate(RANDOM);
            List<Entry> log = List.of(entry(Kind.FIRMWARE, i == bad() ? "hsm-fw-0.9-unapproved" : "hsm-fw-1.0"),
                    entry(Kind.WASM, "policy.wasm"));
            for (Entry e : log) {
                SwtpmAttestor.extend(tpms.tpm(i), e);
            }
            logs.add(log);
        }
    }

    /** Index of the testee with unapproved firmware (the last one). */
    int bad() {
        return n - 1;
    }

    String id(int i) {
        return HEX.formatHex(ids[i]);
    }

    int size() {
        return n;
    }

    /** Manufacturer, firmware approvals, verifier joins and bootstrap; then the testees join (their rounds open). */
    void setUp() throws Exception {
        gov(TxType.TX_TYPE_MANUFACTURER_ADD, ManufacturerAdd.newBuilder().setName("swtpm localca")
                .setRootCertificate(ByteString.copyFrom(tpms.rootCertificate())).build());
        gov(TxType.TX_TYPE_FIRMWARE_APPROVE, approve("hsm-fw", "1.0", logs.get(0).get(0)));
        gov(TxType.TX_TYPE_FIRMWARE_APPROVE, approve("policy", "1", logs.get(0).get(1)));
        for (int i = 0; i < verifiers; i++) {
            accepted(commit(JoinTransactions.join(chain.chainId(), tpms.tpm(i), vrf[i].publicKey().encoded())));
        }
        for (int i = 0; i < verifiers; i++) {
            gov(TxType.TX_TYPE_ATTESTATION_BOOTSTRAP, BootstrapActivation.newBuilder()
                    .setHsmId(ByteString.copyFrom(ids[i])).setReason("first verifiers").build());
        }
        for (int i = verifiers; i < n; i++) {
            accepted(commit(JoinTransactions.join(chain.chainId(), tpms.tpm(i), vrf[i].publicKey().encoded())));
        }
    }

    /**
     * Votes in open rounds until every testee left PENDING (or the time is up).
     *
     * @return whether every testee was decided
     */
    boolean voteUntilTesteesDecided(long millis) throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            for (int t = 0; t < n; t++) {
                JsonNode open = query("/attestation/open/" + id(t));
                if (open.path("code").asInt() != 0) {
                    continue;
                }
                long roundId = OpenRound.parseFrom(value(open)).getRoundId();
                AttestationRound round = AttestationRound.parseFrom(value(query("/attestation/round/" + roundId)));
                for (int v = 0; v < n; v++) {
                    if (v == t || !tried.add(roundId + "/" + v) || state(v) != HsmState.HSM_STATE_ACTIVE) {
                        continue;
                    }
                    JsonNode res = chain.rpc("/broadcast_tx_sync?tx=0x" + HEX.formatHex(honestVote(round, t, v))).path("result");
                    int code = res.path("code").asInt();
                    assertThat(code).as("vote of %d on round %d: %s", v, roundId, res).isIn(0,
                            ResultCode.VOTER_BELOW_MIN_BALANCE.code(), ResultCode.VOTER_NOT_SELECTED.code(), ResultCode.ROUND_CLOSED.code());
                }
            }
            boolean decided = true;
            for (int t = verifiers; t < n; t++) {
                decided &= state(t) != HsmState.HSM_STATE_PENDING;
            }
            if (decided) {
                return true;
            }
            Thread.sleep(300);
        }
        return false;
    }

    HsmState state(int i) throws Exception {
        JsonNode q = query("/hsm/" + id(i));
        return q.path("code").asInt() != 0 ? HsmState.HSM_STATE_UNSPECIFIED : HsmRecord.parseFrom(value(q)).getState();
    }

    private byte[] honestVote(AttestationRound round, int testee, int verifier) throws Exception {
        ProvisionedTpm tt = tpms.tpm(testee);
        HsmRecord record = HsmRecord.parseFrom(value(query("/hsm/" + id(testee))));
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
                JsonNode lastQ = query("/attestation/last/" + id(testee));
                ClockInfo prior = null;
                if (lastQ.path("code").asInt() == 0) {
                    TpmClock c = LastAttestation.parseFrom(value(lastQ)).getTpmClock();
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

    private boolean approved(byte[] hash, long height) {
        try {
            JsonNode q = query("/firmware/" + HEX.formatHex(hash));
            if (q.path("code").asInt() != 0) {
                return false;
            }
            FirmwareRecord f = FirmwareRecord.parseFrom(value(q));
            return f.getRetiredHeight() == 0 && f.getValidFromHeight() <= height
                    && (f.getValidUntilHeight() == 0 || height < f.getValidUntilHeight());
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the allow-list", e);
        }
    }

    private void gov(TxType type, com.google.protobuf.Message payload) throws Exception {
        accepted(commit(TxBuilder.forChain(chain.chainId()).type(type).payload(payload)
                .nonce(govNonce++).signers(ChainAndIndexerResource.GOV.first(2)).build()));
    }

    /** Approved from a few blocks ahead with no end (a window already started is evicted by the mempool re-check). */
    private FirmwareApprove approve(String component, String version, Entry e) throws Exception {
        return FirmwareApprove.newBuilder().setComponent(component).setVersion(version)
                .setSha256(ByteString.copyFrom(e.sha256())).setValidFromHeight(chain.height() + 5).build();
    }

    private JsonNode commit(byte[] tx) throws Exception {
        JsonNode answer = chain.rpc("/broadcast_tx_commit?tx=0x" + HEX.formatHex(tx));
        JsonNode result = answer.path("result");
        if (answer.has("error") || !result.path("tx_result").isObject() || !result.path("check_tx").isObject()) {
            throw new AssertionError("broadcast_tx_commit did not commit: " + answer);
        }
        return result;
    }

    private JsonNode query(String path) throws Exception {
        return chain.rpc("/abci_query?path=" + URLEncoder.encode("\"" + path + "\"", StandardCharsets.UTF_8) + "&prove=false")
                .path("result").path("response");
    }

    private static byte[] value(JsonNode response) {
        return Base64.getDecoder().decode(response.path("value").asText(""));
    }

    private static void accepted(JsonNode res) {
        assertThat(res.path("check_tx").path("code").asInt()).as(res.toString()).isZero();
        assertThat(res.path("tx_result").path("code").asInt()).as(res.toString()).isZero();
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

    @Override
    public void close() {
        tpms.close();
    }
}
