package dev.teeledger.abci.attestation;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.teeledger.abci.attestation.AttestationHarness.Hsm;
import dev.teeledger.abci.attestation.AttestationHarness.Ticket;
import dev.teeledger.protocol.gov.Param;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.state.v1.AttestationRound;
import dev.teeledger.protocol.state.v1.HsmState;
import dev.teeledger.protocol.state.v1.RoundStatus;
import dev.teeledger.protocol.tx.TxBuilder;
import dev.teeledger.protocol.tx.v1.TxType;
import dev.teeledger.protocol.tx.v1.Verdict;
import dev.teeledger.protocol.tx.v1.VerdictReason;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tendermint.abci.Types.ResponseFinalizeBlock;

/**
 * The Byzantine catalog: every way a vote can be wrong is refused with its own code and leaves
 * the state exactly as an empty block would (app hash compared with a twin chain that got the
 * same history and an empty block instead).
 */
class ByzantineVoteTest {
    @TempDir
    Path tmp;

    /**
     * Five bootstrapped verifiers plus G, made SUSPENDED by a FAIL round; two PENDING testees
     * T1 and T2 with rounds open; one valid vote already in T1's round. Committee size 3 out of
     * six credit holders: odds about one half, so some verifiers are not selected.
     */
    static final class Scene {
        final AttestationHarness h;
        final List<Hsm> verifiers;
        final Hsm g;
        final Hsm t1;
        final Hsm t2;
        AttestationRound gRound;
        AttestationRound r1;
        AttestationRound r2;
        Hsm firstVoter;

        Scene(Path dir) throws Exception {
            Map<String, Long> p = new TreeMap<>();
            p.put(Param.ATTESTATION_COMMITTEE_SIZE.id(), 3L);
            p.put(Param.ATTESTATION_QUORUM_BPS.id(), 3_000L);
            p.put(Param.ATTESTATION_WINDOW.id(), 4L);
            p.put(Param.ATTESTATION_MAX_VOTES.id(), 50L);
            h = new AttestationHarness(dir, p);
            List<Hsm> all = h.seedHsms(8, new Random(7));
            verifiers = all.subList(0, 5);
            g = all.get(5);
            t1 = all.get(6);
            t2 = all.get(7);
            h.okBlock(h.bootstrap(all.get(0)), h.bootstrap(all.get(1)), h.bootstrap(all.get(2)),
                    h.bootstrap(all.get(3)), h.bootstrap(all.get(4)), h.bootstrap(g));

            h.okBlock(AttestationRoundTest.request(h, g));
            gRound = h.openRound(g);
            List<byte[]> fails = new ArrayList<>();
            for (Hsm v : verifiers) {
                Ticket t = h.ticket(gRound, v);
                if (t.selected()) {
                    fails.add(h.voteTx(AttestationHarness.vote(gRound, v, Verdict.VERDICT_FAIL, t.proof()), v));
                }
            }
            assertThat(fails).as("someone is selected to judge G").isNotEmpty();
            h.okBlock(fails.toArray(byte[][]::new));
            AttestationRoundTest.runToClose(h, gRound);
            assertThat(h.state(g)).isEqualTo(HsmState.HSM_STATE_SUSPENDED);

            h.okBlock(AttestationRoundTest.request(h, t1), AttestationRoundTest.request(h, t2));
            r1 = h.openRound(t1);
            r2 = h.openRound(t2);
            for (Hsm v : verifiers) {
                Ticket t = h.ticket(r1, v);
                if (t.selected()) {
                    firstVoter = v;
                    h.okBlock(h.voteTx(AttestationHarness.vote(r1, v, Verdict.VERDICT_PASS, t.proof()), v));
                    break;
                }
            }
            assertThat(firstVoter).isNotNull();
        }
    }

    @Test
    void everyByzantineVoteIsRefusedWithItsCodeAndChangesNothing() throws Exception {
        try (AttestationHarness clean = new Scene(tmp.resolve("clean")).h) {
            Scene s = new Scene(tmp.resolve("bad"));
            try (AttestationHarness h = s.h) {
                assertThat(h.lastAppHash).isEqualTo(clean.lastAppHash);
                Hsm selected = null;
                Hsm notSelected = null;
                for (Hsm v : s.verifiers) {
                    if (v == s.firstVoter) {
                        continue;
                    }
                    Ticket t = h.ticket(s.r1, v);
                    if (t.selected() && selected == null) {
                        selected = v;
                    } else if (!t.selected() && notSelected == null) {
                        notSelected = v;
                    }
                }
                assertThat(notSelected).as("with odds near one half, seed 7 leaves someone out").isNotNull();
                Hsm other = selected != null ? selected : notSelected;
                Hsm third = s.verifiers.stream().filter(v -> v != s.firstVoter).filter(v -> v != other).findFirst().orElseThrow();

                byte[] goodProof = h.ticket(s.r1, s.firstVoter).proof();
                byte[] forged = h.ticket(s.r1, other).proof().clone();
                forged[40] ^= 0x01;
                byte[] otherRoundProof = h.ticket(s.r2, other).proof();
                byte[] notSelectedProof = h.ticket(s.r1, notSelected).proof();
                byte[] stranger = AttestationHarness.sha("no such HSM");

                List<byte[]> txs = new ArrayList<>();
                List<ResultCode> expected = new ArrayList<>();
                // double vote
                txs.add(h.voteTx(AttestationHarness.vote(s.r1, s.firstVoter, Verdict.VERDICT_FAIL, goodProof), s.firstVoter));
                expected.add(ResultCode.DUPLICATE_VOTE);
                // forged VRF proof
                txs.add(h.voteTx(AttestationHarness.vote(s.r1, other, Verdict.VERDICT_PASS, forged), other));
                expected.add(ResultCode.VRF_PROOF_INVALID);
                // a valid proof, for another round
                txs.add(h.voteTx(AttestationHarness.vote(s.r1, other, Verdict.VERDICT_PASS, otherRoundProof), other));
                expected.add(ResultCode.VRF_PROOF_INVALID);
                // verifier not selected
                txs.add(h.voteTx(AttestationHarness.vote(s.r1, notSelected, Verdict.VERDICT_PASS, notSelectedProof), notSelected));
                expected.add(ResultCode.VOTER_NOT_SELECTED);
                // vote after the window (G's round closed)
                txs.add(h.voteTx(AttestationHarness.vote(s.gRound, other, Verdict.VERDICT_FAIL, h.ticket(s.gRound, other).proof()), other));
                expected.add(ResultCode.ROUND_CLOSED);
                // signed by another key
                txs.add(AttestationHarness.voteTx(AttestationHarness.CHAIN,
                        AttestationHarness.vote(s.r1, other, Verdict.VERDICT_PASS, h.ticket(s.r1, other).proof()), third.node(), 0));
                expected.add(ResultCode.VOTE_SIGNER_NOT_NODE_KEY);
                // replayed from another chain id: the signature covers the chain id
                txs.add(AttestationHarness.voteTx("another-chain",
                        AttestationHarness.vote(s.r1, other, Verdict.VERDICT_PASS, h.ticket(s.r1, other).proof()), other.node(), 0));
                expected.add(ResultCode.INVALID_SIGNATURE);
                // the testee voting on itself
                txs.add(h.voteTx(AttestationHarness.vote(s.r1, s.t1, Verdict.VERDICT_PASS, h.ticket(s.r1, s.t1).proof()), s.t1));
                expected.add(ResultCode.VOTER_IS_TESTEE);
                // a SUSPENDED verifier voting
                txs.add(h.voteTx(AttestationHarness.vote(s.r1, s.g, Verdict.VERDICT_PASS, h.ticket(s.r1, s.g).proof()), s.g));
                expected.add(ResultCode.VOTER_NOT_ACTIVE);
                // a PENDING HSM (T2) voting on T1
                txs.add(h.voteTx(AttestationHarness.vote(s.r1, s.t2, Verdict.VERDICT_PASS, h.ticket(s.r1, s.t2).proof()), s.t2));
                expected.add(ResultCode.VOTER_NOT_ACTIVE);
                // unknown round
                txs.add(h.voteTx(AttestationHarness.vote(s.r1, other, Verdict.VERDICT_PASS, goodProof).toBuilder().setRoundId(999).build(), other));
                expected.add(ResultCode.UNKNOWN_ROUND);
                // unregistered verifier id
                txs.add(h.voteTx(AttestationHarness.vote(s.r1, other, Verdict.VERDICT_PASS, goodProof).toBuilder()
                        .setVerifierId(ByteString.copyFrom(stranger)).build(), other));
                expected.add(ResultCode.VOTER_NOT_REGISTERED);
                // malformed: PASS with a failure reason, short digest, short proof, round 0
                txs.add(h.voteTx(AttestationHarness.vote(s.r1, other, Verdict.VERDICT_PASS, goodProof).toBuilder()
                        .setReason(VerdictReason.VERDICT_REASON_PCR_MISMATCH).build(), other));
                expected.add(ResultCode.INVALID_VOTE);
                txs.add(h.voteTx(AttestationHarness.vote(s.r1, other, Verdict.VERDICT_FAIL, goodProof).toBuilder()
                        .setReason(VerdictReason.VERDICT_REASON_OK).build(), other));
                expected.add(ResultCode.INVALID_VOTE);
                txs.add(h.voteTx(AttestationHarness.vote(s.r1, other, Verdict.VERDICT_PASS, goodProof).toBuilder()
                        .setEvidenceDigest(ByteString.copyFrom(new byte[31])).build(), other));
                expected.add(ResultCode.INVALID_VOTE);
                txs.add(h.voteTx(AttestationHarness.vote(s.r1, other, Verdict.VERDICT_PASS, goodProof).toBuilder()
                        .setVrfProof(ByteString.copyFrom(new byte[80])).build(), other));
                expected.add(ResultCode.INVALID_VOTE);
                txs.add(h.voteTx(AttestationHarness.vote(s.r1, other, Verdict.VERDICT_PASS, goodProof).toBuilder().setRoundId(0).build(), other));
                expected.add(ResultCode.INVALID_VOTE);
                txs.add(h.voteTx(AttestationHarness.vote(s.r1, other, Verdict.VERDICT_PASS, goodProof).toBuilder()
                        .addMeasuredFirmware(ByteString.copyFrom(new byte[5])).build(), other));
                expected.add(ResultCode.INVALID_VOTE);
                // nonce other than 0
                txs.add(AttestationHarness.voteTx(AttestationHarness.CHAIN,
                        AttestationHarness.vote(s.r1, other, Verdict.VERDICT_PASS, h.ticket(s.r1, other).proof()), other.node(), 1));
                expected.add(ResultCode.BAD_NONCE);
                // bytes that are not a vote
                txs.add(TxBuilder.forChain(AttestationHarness.CHAIN).type(TxType.TX_TYPE_ATTESTATION_VOTE)
                        .payloadBytes(new byte[] {0x0a, 0x7f}).nonce(0).signer(other.node()).build());
                expected.add(ResultCode.MALFORMED_PAYLOAD);

                ResponseFinalizeBlock res = h.block(txs);
                clean.block();
                for (int i = 0; i < txs.size(); i++) {
                    assertThat(ResultCode.fromCode(res.getTxResults(i).getCode())).as("tx %d: %s", i, res.getTxResults(i).getLog())
                            .isEqualTo(expected.get(i));
                }
                assertThat(h.lastAppHash).as("refused votes change nothing").isEqualTo(clean.lastAppHash);
                assertThat(h.round(s.r1.getId()).getVotes()).isEqualTo(1);
                assertThat(h.round(s.r1.getId()).getStatus()).isEqualTo(RoundStatus.ROUND_STATUS_OPEN);
            }
        }
    }
}
