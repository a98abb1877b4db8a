package dev.teeledger.attestation.service;

import dev.teeledger.attestation.service.grpc.AttestationQueryGrpc;
import dev.teeledger.attestation.service.grpc.GetRoundRequest;
import dev.teeledger.attestation.service.grpc.GetVerifierStatsRequest;
import dev.teeledger.attestation.service.grpc.ListRoundsRequest;
import dev.teeledger.attestation.service.grpc.ListVotesRequest;
import dev.teeledger.attestation.service.grpc.RoundPage;
import dev.teeledger.attestation.service.grpc.VerifierStats;
import dev.teeledger.attestation.service.grpc.VoteList;
import dev.teeledger.attestation.service.Views.Round;
import dev.teeledger.attestation.service.Views.Vote;
import dev.teeledger.service.common.GrpcProblems;
import dev.teeledger.service.common.Ids;
import dev.teeledger.service.common.ProblemException;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import java.util.function.Supplier;

/**
 * The gRPC face of the read API ({@code teeledger.attestation.service.v1.AttestationQuery},
 * served on the HTTP port). Each call validates like its REST twin ({@link RequestParams}) and
 * reads the same store; a {@link ProblemException} becomes the matching gRPC status as in the
 * other services ({@link GrpcProblems}: 400 → INVALID_ARGUMENT, 404 → NOT_FOUND, 502/503 →
 * UNAVAILABLE, with the problem type in the {@code teeledger-problem-type} trailer).
 * Blocking: the store runs JDBC, so calls run on worker threads.
 */
@GrpcService
@Blocking
public class AttestationGrpcService extends AttestationQueryGrpc.AttestationQueryImplBase {
    private final AttestationStore store;
    private final VerifiedReads chain;

    public AttestationGrpcService(AttestationStore store, VerifiedReads chain) {
        this.store = store;
        this.chain = chain;
    }

    @Override
    public void getRound(GetRoundRequest req, StreamObserver<dev.teeledger.attestation.service.grpc.Round> out) {
        answer(out, () -> {
            long id = RequestParams.roundId(Long.toUnsignedString(req.getId()));
            return toProto((req.getVerified() ? chain.round(id) : store.round(id))
                    .orElseThrow(() -> ProblemException.notFound("round", Long.toString(id))));
        });
    }

    @Override
    public void listRounds(ListRoundsRequest req, StreamObserver<RoundPage> out) {
        answer(out, () -> {
            String state = RequestParams.state(emptyToNull(req.getState()));
            String outcome = RequestParams.outcome(emptyToNull(req.getOutcome()));
            String testee = req.getTestee().isEmpty() ? null : Ids.hex64("testee", req.getTestee());
            int page = RequestParams.page(Integer.toUnsignedString(req.getPage()));
            int size = RequestParams.size(req.getSize() == 0 ? null : Integer.toUnsignedString(req.getSize()));
            Views.Page<Round> p = store.rounds(state, outcome, testee, page, size);
            RoundPage.Builder b = RoundPage.newBuilder().setPage(p.page()).setSize(p.size()).setTotal(p.total())
                    .setIndexedHeight(p.indexedHeight());
            p.items().forEach(r -> b.addItems(toProto(r)));
            return b.build();
        });
    }

    @Override
    public void listVotes(ListVotesRequest req, StreamObserver<VoteList> out) {
        answer(out, () -> {
            long id = RequestParams.roundId(Long.toUnsignedString(req.getRoundId()));
            if (store.round(id).isEmpty()) {
                throw ProblemException.notFound("round", Long.toString(id));
            }
            VoteList.Builder b = VoteList.newBuilder().setIndexedHeight(store.indexedHeight());
            for (Vote v : store.votes(id)) {
                b.addItems(dev.teeledger.attestation.service.grpc.Vote.newBuilder().setRoundId(v.roundId())
                        .setVerifier(v.verifier()).setVerdict(v.verdict()).setReason(v.reason()).setWeight(v.weight())
                        .setEvidenceDigest(v.evidenceDigest()).setHeight(v.height() == null ? 0 : v.height()));
            }
            return b.build();
        });
    }

    @Override
    public void getVerifierStats(GetVerifierStatsRequest req, StreamObserver<VerifierStats> out) {
        answer(out, () -> {
            String id = Ids.hex64("verifier", req.getVerifier());
            Views.VerifierStats s = store.verifier(id).orElseThrow(() -> ProblemException.notFound("verifier", id));
            return VerifierStats.newBuilder().setVerifier(s.verifier()).setVotesCast(s.votesCast()).setAgreeing(s.agreeing())
                    .setDissenting(s.dissenting()).setInconclusive(s.inconclusive()).setPending(s.pending())
                    .setLastVoteHeight(s.lastVoteHeight() == null ? 0 : s.lastVoteHeight())
                    .setAbsenceCharges(s.absenceCharges()).setAbsenceMissingVotes(s.absenceMissingVotes())
                    .setAbsencePenaltyTotal(s.absencePenaltyTotal()).build();
        });
    }

    static dev.teeledger.attestation.service.grpc.Round toProto(Round r) {
        var b = dev.teeledger.attestation.service.grpc.Round.newBuilder().setId(r.id()).setTestee(r.testee())
                .setAttempt(r.attempt()).setState(r.state()).setVotes(r.votes()).setSource(r.source());
        if (r.kind() != null) {
            b.setKind(r.kind());
        }
        if (r.outcome() != null) {
            b.setOutcome(r.outcome());
        }
        if (r.openedHeight() != null) {
            b.setOpenedHeight(r.openedHeight());
        }
        if (r.deadlineHeight() != null) {
            b.setDeadlineHeight(r.deadlineHeight());
        }
        if (r.closedHeight() != null) {
            b.setClosedHeight(r.closedHeight());
        }
        if (r.committeeSize() != null) {
            b.setCommitteeSize(r.committeeSize()).setQuorumVotes(r.quorumVotes()).setMaxVotes(r.maxVotes());
        }
        if (r.passWeight() != null) {
            b.setPassWeight(r.passWeight());
        }
        if (r.failWeight() != null) {
            b.setFailWeight(r.failWeight());
        }
        if (r.verifiedHeight() != null) {
            b.setVerifiedHeight(r.verifiedHeight());
        }
        return b.build();
    }

    private static String emptyToNull(String s) {
        return s.isEmpty() ? null : s;
    }

    /** Answers one call; problems become statuses the way every service maps them ({@link GrpcProblems}). */
    private static <T> void answer(StreamObserver<T> out, Supplier<T> call) {
        T value;
        try {
            value = GrpcProblems.call(call);
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        out.onNext(value);
        out.onCompleted();
    }
}
