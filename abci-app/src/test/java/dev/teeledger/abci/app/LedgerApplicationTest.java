package dev.teeledger.abci.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.teeledger.abci.query.QueryProofs;
import dev.teeledger.protocol.merkle.StateProof;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.state.v1.AccountNonce;
import dev.teeledger.protocol.state.v1.GovernanceKeySet;
import dev.teeledger.protocol.state.v1.ParamRecord;
import dev.teeledger.protocol.tx.TxBuilder;
import dev.teeledger.protocol.tx.v1.KeyRotation;
import dev.teeledger.protocol.tx.v1.ParamChange;
import dev.teeledger.protocol.tx.v1.ParamValue;
import dev.teeledger.protocol.tx.v1.TxType;
import dev.teeledger.protocol.sig.Ed25519KeyPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tendermint.abci.Types.RequestCheckTx;
import tendermint.abci.Types.RequestInfo;
import tendermint.abci.Types.ResponseFinalizeBlock;
import tendermint.abci.Types.ResponseQuery;

class LedgerApplicationTest {
    @TempDir
    Path tmp;

    private static byte[] paramChange(AppHarness h, long nonce, String name, String value, List<Ed25519KeyPair> signers) {
        return TxBuilder.forChain(AppHarness.CHAIN).type(TxType.TX_TYPE_GOV_PARAM_CHANGE)
                .payload(ParamChange.newBuilder().addChanges(ParamValue.newBuilder().setName(name).setValue(value)).build())
                .nonce(nonce).signers(signers).build();
    }

    @Test
    void genesisInstallsGovernanceAndParameters() throws Exception {
        try (AppHarness h = new AppHarness(tmp.resolve("a"))) {
            h.initChain();
            h.block();
            GovernanceKeySet keys = GovernanceKeySet.parseFrom(h.query("/gov/keys", false).getValue());
            assertThat(keys.getThreshold()).isEqualTo(2);
            assertThat(keys.getKeysList()).containsExactly(h.gov.get(0).publicKey(), h.gov.get(1).publicKey(), h.gov.get(2).publicKey());
            assertThat(ParamRecord.parseFrom(h.query("/gov/param/tx.max_signers", false).getValue()).getValue()).isEqualTo(8);
            assertThat(ParamRecord.parseFrom(h.query("/gov/param/tx.max_bytes", false).getValue()).getValue()).isEqualTo(65_536);
        }
    }

    @Test
    void paramChangeWithThresholdSignaturesApplies() throws Exception {
        try (AppHarness h = new AppHarness(tmp.resolve("a"))) {
            h.initChain();
            ResponseFinalizeBlock res = h.block(paramChange(h, 0, "tx.max_signers", "12", h.gov.subList(0, 2)));
            assertThat(res.getTxResults(0).getCode()).as(res.getTxResults(0).getLog()).isZero();
            assertThat(res.getTxResults(0).getEvents(0).getType()).isEqualTo("gov.param_changed");
            assertThat(ParamRecord.parseFrom(h.query("/gov/param/tx.max_signers", false).getValue()).getValue()).isEqualTo(12);
            assertThat(AccountNonce.parseFrom(h.query("/gov/nonce", false).getValue()).getNext()).isEqualTo(1);
        }
    }

    @Test
    void rejectedTransactionsChangeNothing() throws Exception {
        try (AppHarness withBad = new AppHarness(tmp.resolve("bad")); AppHarness clean = new AppHarness(tmp.resolve("clean"))) {
            withBad.initChain();
            clean.initChain();
            byte[] good = paramChange(withBad, 0, "tx.max_signers", "12", withBad.gov.subList(0, 2));
            byte[] badSig = good.clone();
            badSig[badSig.length - 3] ^= 1;
            byte[][] bad = {
                badSig,
                paramChange(withBad, 5, "tx.max_signers", "12", withBad.gov.subList(0, 2)),           // wrong nonce
                paramChange(withBad, 0, "tx.max_signers", "12", withBad.gov.subList(0, 1)),           // 1 of 2
                paramChange(withBad, 0, "tx.max_signers", "12", List.of(Ed25519KeyPair.fromSeed(new byte[32]), withBad.gov.get(0))),
                paramChange(withBad, 0, "no.such.param", "1", withBad.gov.subList(0, 2)),
                paramChange(withBad, 0, "tx.max_signers", "0", withBad.gov.subList(0, 2)),             // below range
                paramChange(withBad, 0, "tx.max_signers", "012", withBad.gov.subList(0, 2)),           // non-canonical
                {1, 2, 3, 4, 5},                                                                      // garbage
            };
            ResultCode[] expected = {
                ResultCode.INVALID_SIGNATURE, ResultCode.BAD_NONCE, ResultCode.INSUFFICIENT_GOVERNANCE_SIGNATURES,
                ResultCode.NOT_GOVERNANCE_KEY, ResultCode.UNKNOWN_PARAMETER, ResultCode.INVALID_PARAMETER_VALUE,
                ResultCode.INVALID_PARAMETER_VALUE, ResultCode.MALFORMED_TX,
            };
            ResponseFinalizeBlock res = withBad.block(bad);
            ResponseFinalizeBlock empty = clean.block();
            for (int i = 0; i < bad.length; i++) {
                assertThat(ResultCode.fromCode(res.getTxResults(i).getCode())).as("tx %d: %s", i, res.getTxResults(i).getLog()).isEqualTo(expected[i]);
                assertThat(res.getTxResults(i).getEventsList()).isEmpty();
            }
            assertThat(res.getAppHash()).isEqualTo(empty.getAppHash());
            // CheckTx agrees with FinalizeBlock
            for (int i = 0; i < bad.length; i++) {
                int code = withBad.app.checkTx(RequestCheckTx.newBuilder().setTx(ByteString.copyFrom(bad[i])).build()).getCode();
                assertThat(ResultCode.fromCode(code)).isEqualTo(expected[i]);
            }
        }
    }

    @Test
    void keyRotationHandsOverAuthority() throws Exception {
        try (AppHarness h = new AppHarness(tmp.resolve("a"))) {
            h.initChain();
            Ed25519KeyPair newKey = Ed25519KeyPair.fromSeed(filled(9));
            byte[] rotate = TxBuilder.forChain(AppHarness.CHAIN).type(TxType.TX_TYPE_GOV_KEY_ROTATION)
                    .payload(KeyRotation.newBuilder().addKeys(newKey.publicKey()).setThreshold(1).build())
                    .nonce(0).signers(h.gov.subList(1, 3)).build();
            assertThat(h.block(rotate).getTxResults(0).getCode()).isZero();
            ResponseFinalizeBlock old = h.block(paramChange(h, 1, "tx.max_signers", "9", h.gov.subList(0, 2)));
            assertThat(ResultCode.fromCode(old.getTxResults(0).getCode())).isEqualTo(ResultCode.NOT_GOVERNANCE_KEY);
            ResponseFinalizeBlock fresh = h.block(paramChange(h, 1, "tx.max_signers", "9", List.of(newKey)));
            assertThat(fresh.getTxResults(0).getCode()).isZero();
        }
    }

    @Test
    void invalidKeyRotationsAreRejected() throws Exception {
        try (AppHarness h = new AppHarness(tmp.resolve("a"))) {
            h.initChain();
            Ed25519KeyPair k = Ed25519KeyPair.fromSeed(filled(9));
            KeyRotation[] rotations = {
                KeyRotation.newBuilder().setThreshold(1).build(),
                KeyRotation.newBuilder().addKeys(k.publicKey()).addKeys(k.publicKey()).setThreshold(1).build(),
                KeyRotation.newBuilder().addKeys(k.publicKey()).setThreshold(2).build(),
                KeyRotation.newBuilder().addKeys(k.publicKey()).setThreshold(0).build(),
            };
            ResultCode[] codes = {ResultCode.INVALID_KEY_SET, ResultCode.INVALID_KEY_SET, ResultCode.INVALID_THRESHOLD, ResultCode.INVALID_THRESHOLD};
            for (int i = 0; i < rotations.length; i++) {
                byte[] tx = TxBuilder.forChain(AppHarness.CHAIN).type(TxType.TX_TYPE_GOV_KEY_ROTATION)
                        .payload(rotations[i]).nonce(0).signers(h.gov.subList(0, 2)).build();
                assertThat(ResultCode.fromCode(h.block(tx).getTxResults(0).getCode())).as("rotation %d", i).isEqualTo(codes[i]);
            }
        }
    }

    @Test
    void replayingTheSameBlocksGivesTheSameAppHashes() throws Exception {
        try (AppHarness a = new AppHarness(tmp.resolve("a")); AppHarness b = new AppHarness(tmp.resolve("b"))) {
            assertThat(a.initChain()).isEqualTo(b.initChain());
            for (int i = 0; i < 5; i++) {
                byte[] tx = paramChange(a, i, "tx.max_signers", Integer.toString(10 + i), a.gov.subList(0, 2));
                assertThat(a.block(tx, tx).getAppHash()).isEqualTo(b.block(tx, tx).getAppHash());
            }
        }
    }

    @Test
    void restartResumesAtTheCommittedHeightAndHash() throws Exception {
        try (AppHarness h = new AppHarness(tmp.resolve("a"))) {
            h.initChain();
            h.block(paramChange(h, 0, "tx.max_signers", "12", h.gov.subList(0, 2)));
            ResponseFinalizeBlock last = h.block();
            h.reopen();
            var info = h.app.info(RequestInfo.getDefaultInstance());
            assertThat(info.getLastBlockHeight()).isEqualTo(2);
            assertThat(info.getLastBlockAppHash()).isEqualTo(last.getAppHash());
            assertThat(h.block(paramChange(h, 1, "tx.max_signers", "13", h.gov.subList(0, 2))).getTxResults(0).getCode()).isZero();
        }
    }

    @Test
    void queriesCarryProofsAgainstTheAppHash() throws Exception {
        try (AppHarness h = new AppHarness(tmp.resolve("a"))) {
            h.initChain();
            ResponseFinalizeBlock b1 = h.block();
            ResponseQuery present = h.query("/gov/param/tx.max_bytes", true);
            StateProof proof = QueryProofs.proofOf(present);
            assertThat(proof.computeRoot(present.getKey().toByteArray(), present.getValue().toByteArray())).isEqualTo(b1.getAppHash().toByteArray());
            byte[] tampered = present.getValue().toByteArray();
            tampered[tampered.length - 1] ^= 1;
            assertThat(proof.computeRoot(present.getKey().toByteArray(), tampered)).isNotEqualTo(b1.getAppHash().toByteArray());

            ResponseQuery absent = h.app.query(tendermint.abci.Types.RequestQuery.newBuilder().setPath("/store")
                    .setData(ByteString.copyFromUtf8("no/such/key")).setProve(true).build());
            assertThat(ResultCode.fromCode(absent.getCode())).isEqualTo(ResultCode.NOT_FOUND);
            StateProof absence = QueryProofs.proofOf(absent);
            assertThat(absence.computeRoot("no/such/key".getBytes(), null)).isEqualTo(b1.getAppHash().toByteArray());

            assertThat(ResultCode.fromCode(h.query("/nope", false).getCode())).isEqualTo(ResultCode.UNKNOWN_QUERY_PATH);
            assertThat(ResultCode.fromCode(h.query("/gov/param/nope", false).getCode())).isEqualTo(ResultCode.UNKNOWN_PARAMETER);
            assertThat(ResultCode.fromCode(h.app.query(tendermint.abci.Types.RequestQuery.newBuilder()
                    .setPath("/gov/keys").setHeight(99).build()).getCode())).isEqualTo(ResultCode.HEIGHT_NOT_AVAILABLE);
        }
    }

    @Test
    void genesisWithUnknownFieldsOrBadKeysFailsLoudly() throws Exception {
        try (AppHarness h = new AppHarness(tmp.resolve("a"))) {
            String[] bad = {
                "{\"governance\":{\"threshold\":2,\"keys\":[]}}",
                "{\"governance\":{\"threshold\":1,\"keys\":[\"AAAA\"]}}",
                "{\"governance\":{\"threshold\":1,\"keys\":[],\"extra\":1}}",
                "{\"params\":{\"tx.max_bytes\":\"10\"},\"governance\":{\"threshold\":1,\"keys\":[]}}",
                "[1,2]",
                "not json",
            };
            for (String g : bad) {
                assertThatThrownBy(() -> h.app.initChain(tendermint.abci.Types.RequestInitChain.newBuilder()
                        .setChainId("x").setAppStateBytes(ByteString.copyFromUtf8(g)).build()))
                        .as(g).isInstanceOf(IllegalArgumentException.class);
            }
        }
    }

    private static byte[] filled(int v) {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) v);
        return b;
    }
}
