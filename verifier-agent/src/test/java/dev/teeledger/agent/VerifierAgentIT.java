package dev.teeledger.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.teeledger.chain.rpc.CometRpcClient;
import dev.teeledger.chain.rpc.CometRpcConfig;
import dev.teeledger.protocol.state.v1.AkBinding;
import dev.teeledger.protocol.state.v1.AttestationRound;
import dev.teeledger.protocol.state.v1.HsmState;
import dev.teeledger.protocol.state.v1.LastAttestation;
import dev.teeledger.protocol.state.v1.RoundStatus;
import dev.teeledger.protocol.state.v1.RoundVote;
import dev.teeledger.protocol.tx.TxBuilder;
import dev.teeledger.protocol.tx.v1.BootstrapActivation;
import dev.teeledger.protocol.tx.v1.FirmwareApprove;
import dev.teeledger.protocol.tx.v1.HsmJoin;
import dev.teeledger.protocol.tx.v1.ManufacturerAdd;
import dev.teeledger.protocol.tx.v1.TxType;
import dev.teeledger.protocol.tx.v1.Verdict;
import dev.teeledger.protocol.tx.v1.VerdictReason;
import dev.teeledger.testkit.cometbft.LocalChain;
import dev.teeledger.testkit.fixtures.GovernanceFixture;
import dev.teeledger.testkit.swtpm.SwtpmFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verifier agents alone bring new HSMs through attestation on a real chain. Six swtpm TPMs, each
 * fronted by a real tpm-sidecar: the packaged Quarkus app started as a process
 * ({@link PackagedSidecar}); each sidecar measures a firmware image and a policy module into
 * PCR 15. Joins are built from each sidecar's identity and signed
 * through its Sign call. Governance bootstraps HSMs 0–3 as the first verifiers; HSMs 4 and 5
 * then join, 5 measuring a firmware governance never approved. One {@link VerifierAgent} per
 * HSM runs against its own sidecar and the chain's RPC; the test casts no vote. HSM 4 must
 * become ACTIVE through a round, with its AK↔EK binding recorded and its attested firmware and
 * clock as the next baseline, and HSM 5 must be voted FAIL (firmware not approved) and SUSPENDED.
 */
class VerifierAgentIT {
    private static final GovernanceFixture GOV = new GovernanceFixture(3, 2);
    private static final String CHAIN_ID = "verifier-agent-it";
    private static final int N = 6;
    private static final int NEW = 4;
    private static final int BAD = 5;
    private static final HexFormat HEX = HexFormat.of();

    @TempDir
    static Path tmp;

    private static SwtpmFixture tpms;
    private static LocalChain chain;
    private static CometChainView view;
    private static final List<PackagedSidecar> sidecars = new ArrayList<>();
    private static final List<HttpSidecarClient> clients = new ArrayList<>();
    private static final byte[][] ids = new byte[N][];
    private static long govNonce;

    @BeforeAll
    static void start() throws Exception {
        SwtpmFixture.AkAlgorithm[] aks = new SwtpmFixture.AkAlgorithm[N];
        Arrays.fill(aks, SwtpmFixture.AkAlgorithm.ECC);
        tpms = SwtpmFixture.start(aks);
        Path good = Files.writeString(tmp.resolve("hsm-fw-1.0.bin"), "hsm firmware 1.0");
        Path bad = Files.writeString(tmp.resolve("hsm-fw-0.9.bin"), "hsm firmware 0.9, never approved");
        Path policy = Files.writeString(tmp.resolve("policy.wasm"), "policy module 1");
        Path intermediate = Files.write(tmp.resolve("intermediate.der"), tpms.intermediateCertificate());
        for (int i = 0; i < N; i++) {
            Map<String, String> props = new TreeMap<>();
            props.put("teeledger.sidecar.tpm.port", Integer.toString(tpms.tpm(i).dataPort()));
            props.put("teeledger.sidecar.state-dir", tmp.resolve("state-" + i).toString());
            props.put("teeledger.sidecar.chain-id", CHAIN_ID);
            props.put("teeledger.sidecar.handles.ak", "0x81010005");
            props.put("teeledger.sidecar.handles.node-key", "0x81000015");
            props.put("teeledger.sidecar.intermediate-files", intermediate.toString());
            props.put("teeledger.sidecar.measurement.firmware", (i == BAD ? bad : good).toString());
            props.put("teeledger.sidecar.measurement.wasm", policy.toString());
            sidecars.add(new PackagedSidecar(tmp.resolve("sidecar-" + i), props));
        }
        for (PackagedSidecar s : sidecars) {
            s.awaitReady(Duration.ofSeconds(120));
            clients.add(new HttpSidecarClient(s.uri(), Duration.ofSeconds(2), Duration.ofSeconds(35)));
        }
        Map<String, String> params = new TreeMap<>();
        params.put("attestation.window", "40");
        params.put("attestation.period", "100000");
        params.put("attestation.committee_size", "16");
        params.put("attestation.quorum_bps", "1500");
        params.put("attestation.max_retries", "5");
        params.put("attestation.absence_tolerance", "1000");
        chain = LocalChain.builder().chainId(CHAIN_ID).appState(GOV.appState(params)).build().start();
        view = new CometChainView(new CometRpcClient(CometRpcConfig.of(java.net.URI.create(chain.rpcUrl()))));
    }

    @AfterAll
    static void stop() throws Exception {
        for (PackagedSidecar s : sidecars) {
            s.close();
        }
        if (chain != null) {
            chain.close();
        }
        if (tpms != null) {
            tpms.close();
        }
    }

    @Test
    void agentsAloneAttestNewHsmsAndSuspendAnUnapprovedFirmware() throws Exception {
        long t0 = System.nanoTime();
        gov(TxType.TX_TYPE_MANUFACTURER_ADD, ManufacturerAdd.newBuilder().setName("swtpm localca")
                .setRootCertificate(ByteString.copyFrom(tpms.rootCertificate()))
                .addIntermediates(ByteString.copyFrom(tpms.intermediateCertificate())).build());
        gov(TxType.TX_TYPE_FIRMWARE_APPROVE, approve("hsm-fw", "1.0", "hsm firmware 1.0"));
        gov(TxType.TX_TYPE_FIRMWARE_APPROVE, approve("policy", "1", "policy module 1"));
        for (int i = 0; i < NEW; i++) {
            join(i);
        }
        for (int i = 0; i < NEW; i++) {
            gov(TxType.TX_TYPE_ATTESTATION_BOOTSTRAP, BootstrapActivation.newBuilder()
                    .setHsmId(ByteString.copyFrom(ids[i])).setReason("first verifiers").build());
        }
        long setup = System.nanoTime();

        List<VerifierAgent> agents = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        AgentConfig config = AgentConfig.defaults(CHAIN_ID).withPollInterval(Duration.ofMillis(300))
                .withRetries(3, Duration.ofMillis(200)).withQuotePcrs(List.of(15));
        for (int i = 0; i < N; i++) {
            HttpSidecarClient own = clients.get(i);
            VerifierAgent agent = new VerifierAgent(config, view, own, EndpointResolver.fromRecord(),
                    uri -> new HttpSidecarClient(uri, Duration.ofSeconds(2), Duration.ofSeconds(35)));
            agents.add(agent);
            Thread t = new Thread(() -> {
                try {
                    agent.run();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (SidecarException e) {
                    throw new IllegalStateException(e);
                }
            }, "agent-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        try {
            join(NEW);
            join(BAD);
            long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
            while (System.nanoTime() < deadline
                    && (state(NEW) != HsmState.HSM_STATE_ACTIVE || state(BAD) != HsmState.HSM_STATE_SUSPENDED)) {
                Thread.sleep(300);
            }
        } finally {
            agents.forEach(VerifierAgent::stop);
            for (Thread t : threads) {
                t.interrupt();
                t.join(10_000);
            }
        }
        long done = System.nanoTime();
        System.out.printf("setup %.1f s, agents to outcome %.1f s%n", (setup - t0) / 1e9, (done - setup) / 1e9);
        for (int i = 0; i < N; i++) {
            System.out.println("agent " + i + ": " + agents.get(i).metrics());
        }

        assertThat(state(NEW)).isEqualTo(HsmState.HSM_STATE_ACTIVE);
        assertThat(state(BAD)).isEqualTo(HsmState.HSM_STATE_SUSPENDED);
        AkBinding binding = AkBinding.parseFrom(query("/attestation/binding/" + HEX.formatHex(ids[NEW])));
        assertThat(binding.getBootstrap()).as("activated by a round, not governance").isFalse();
        LastAttestation last = view.lastAttestation(ids[NEW]).orElseThrow();
        assertThat(last.getMeasuredFirmwareList()).containsExactly(ByteString.copyFrom(sha("hsm firmware 1.0")),
                ByteString.copyFrom(sha("policy module 1")));
        assertThat(last.getTpmClock().getClock()).isPositive();

        AttestationRound passed = view.round(binding.getRoundId()).orElseThrow();
        assertThat(passed.getStatus()).isEqualTo(RoundStatus.ROUND_STATUS_PASS);
        int passVotes = 0;
        for (int v = 0; v < NEW; v++) {
            RoundVote vote = voteOf(passed.getId(), v);
            if (vote != null) {
                assertThat(vote.getVerdict()).isEqualTo(Verdict.VERDICT_PASS);
                passVotes++;
            }
        }
        assertThat(passVotes).isGreaterThanOrEqualTo(passed.getQuorumVotes());

        boolean badFailed = false;
        for (long id = 1; view.round(id).isPresent(); id++) {
            AttestationRound r = view.round(id).get();
            if (Arrays.equals(r.getTestee().toByteArray(), ids[BAD]) && r.getStatus() == RoundStatus.ROUND_STATUS_FAIL) {
                badFailed = true;
                for (int v = 0; v < NEW; v++) {
                    RoundVote vote = voteOf(id, v);
                    if (vote != null) {
                        assertThat(vote.getReason()).isEqualTo(VerdictReason.VERDICT_REASON_FIRMWARE_NOT_APPROVED);
                    }
                }
            }
        }
        assertThat(badFailed).as("the unapproved firmware was voted FAIL").isTrue();
        long committed = agents.stream().mapToLong(a -> a.metrics().votesCommitted()).sum();
        assertThat(committed).isGreaterThanOrEqualTo(2L * passed.getQuorumVotes());
        assertThat(agents.get(BAD).metrics().roundsSelected()).as("an HSM that was never ACTIVE does no verifier work").isZero();
    }

    private static RoundVote voteOf(long round, int verifier) throws Exception {
        byte[] raw = queryOrNull("/attestation/vote/" + round + "/" + HEX.formatHex(ids[verifier]));
        return raw == null ? null : RoundVote.parseFrom(raw);
    }

    private static void join(int i) throws Exception {
        SidecarClient.Identity id = clients.get(i).identity();
        ids[i] = id.hsmId();
        HsmJoin.Builder join = HsmJoin.newBuilder()
                .setEkCertificate(ByteString.copyFrom(id.ekCertificate()))
                .setEkPublic(ByteString.copyFrom(id.ekPublic()))
                .setAkPublic(ByteString.copyFrom(id.akPublic()))
                .setNodeKeyPublic(ByteString.copyFrom(id.nodeKeyPublic()))
                .setCertifyAttest(ByteString.copyFrom(id.certifyAttest()))
                .setCertifySignature(ByteString.copyFrom(id.certifySignature()))
                .setVrfPublicKey(ByteString.copyFrom(id.vrfPublicKey()))
                .setVrfKeySignature(ByteString.copyFrom(id.vrfKeySignature()))
                .setSidecarEndpoint(id.sidecarEndpoint());
        id.intermediates().forEach(c -> join.addIntermediates(ByteString.copyFrom(c)));
        commit(TxBuilder.forChain(CHAIN_ID).type(TxType.TX_TYPE_HSM_JOIN).payload(join.build()).nonce(0)
                .signer(SidecarSigner.forIdentity(clients.get(i), id)).build());
    }

    private static void gov(TxType type, Message payload) throws Exception {
        commit(TxBuilder.forChain(CHAIN_ID).type(type).payload(payload).nonce(govNonce++).signers(GOV.first(2)).build());
    }

    private static void commit(byte[] tx) throws Exception {
        JsonNode res = chain.rpc("/broadcast_tx_commit?tx=0x" + HEX.formatHex(tx)).path("result");
        assertThat(res.path("check_tx").path("code").asInt()).as(res.toString()).isZero();
        assertThat(res.path("tx_result").isObject()).as(res.toString()).isTrue();
        assertThat(res.path("tx_result").path("code").asInt()).as(res.toString()).isZero();
    }

    private static FirmwareApprove approve(String component, String version, String content) throws Exception {
        return FirmwareApprove.newBuilder().setComponent(component).setVersion(version)
                .setSha256(ByteString.copyFrom(sha(content))).setValidFromHeight(chain.height() + 3).build();
    }

    private static HsmState state(int i) throws Exception {
        return view.hsm(ids[i]).map(h -> h.getState()).orElse(HsmState.HSM_STATE_UNSPECIFIED);
    }

    private static byte[] query(String path) throws Exception {
        byte[] raw = queryOrNull(path);
        assertThat(raw).as(path).isNotNull();
        return raw;
    }

    private static byte[] queryOrNull(String path) throws Exception {
        var r = new CometRpcClient(CometRpcConfig.of(java.net.URI.create(chain.rpcUrl()))).abciQuery(path, new byte[0], 0, false);
        return r.code() == 0 ? r.value() : null;
    }

    private static byte[] sha(String s) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    }
}
