package dev.teeledger.attestation.service;

import dev.teeledger.attestation.service.Views.LastAttestation;
import dev.teeledger.attestation.service.Views.Listing;
import dev.teeledger.attestation.service.Views.Page;
import dev.teeledger.attestation.service.Views.Round;
import dev.teeledger.attestation.service.Views.VerifierStats;
import dev.teeledger.attestation.service.Views.Vote;
import dev.teeledger.service.common.Ids;
import dev.teeledger.service.common.ProblemException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/**
 * The attestation read endpoints: rounds, their votes, an HSM's attestation history and last
 * attestation, verifier statistics. Lists come from the read model; single records can be read
 * from the chain with {@code ?verified=true} ({@link VerifiedReads}). Every parameter is
 * validated by {@link RequestParams}: a malformed one is a 400 problem, an unknown id a 404.
 */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class AttestationResource {
    private final AttestationStore store;
    private final VerifiedReads chain;

    public AttestationResource(AttestationStore store, VerifiedReads chain) {
        this.store = store;
        this.chain = chain;
    }

    @GET
    @Path("/rounds")
    @Operation(summary = "Rounds, newest first, paged, optionally filtered by state, outcome and testee")
    public Page<Round> rounds(
            @Parameter(description = "open or closed") @QueryParam("state") String state,
            @Parameter(description = "pass, fail or inconclusive") @QueryParam("outcome") String outcome,
            @Parameter(description = "testee HSM id (64 hex digits)") @QueryParam("testee") String testee,
            @Parameter(description = "page number from 0") @QueryParam("page") String page,
            @Parameter(description = "page size 1-100, default 20") @QueryParam("size") String size) {
        String st = RequestParams.state(state);
        String out = RequestParams.outcome(outcome);
        String t = testee == null ? null : Ids.hex64("testee", testee);
        return store.rounds(st, out, t, RequestParams.page(page), RequestParams.size(size));
    }

    @GET
    @Path("/rounds/{id}")
    @Operation(summary = "One round; with verified=true from the chain's /attestation/round/<id>")
    public Round round(@PathParam("id") String id, @QueryParam("verified") String verified) {
        long rid = RequestParams.roundId(id);
        return (RequestParams.verified(verified) ? chain.round(rid) : store.round(rid))
                .orElseThrow(() -> ProblemException.notFound("round", Long.toString(rid)));
    }

    @GET
    @Path("/rounds/{id}/votes")
    @Operation(summary = "The votes of a round by verifier; with verified=true each listed vote is proven from the chain")
    public Listing<Vote> votes(@PathParam("id") String id, @QueryParam("verified") String verified) {
        long rid = RequestParams.roundId(id);
        boolean fromChain = RequestParams.verified(verified);
        if (store.round(rid).isEmpty()) {
            throw ProblemException.notFound("round", Long.toString(rid));
        }
        List<Vote> votes = store.votes(rid);
        if (!fromChain) {
            return new Listing<>(votes, store.indexedHeight());
        }
        List<Vote> proven = new ArrayList<>();
        for (Vote v : votes) {
            chain.vote(rid, v.verifier()).ifPresent(proven::add);
        }
        return new Listing<>(proven, store.indexedHeight());
    }

    @GET
    @Path("/rounds/{id}/votes/{verifier}")
    @Operation(summary = "One vote; with verified=true from the chain's /attestation/vote/<id>/<verifier>")
    public Vote vote(@PathParam("id") String id, @PathParam("verifier") String verifier, @QueryParam("verified") String verified) {
        long rid = RequestParams.roundId(id);
        String v = Ids.hex64("verifier", verifier);
        return (RequestParams.verified(verified) ? chain.vote(rid, v) : store.vote(rid, v))
                .orElseThrow(() -> ProblemException.notFound("vote", rid + "/" + v));
    }

    @GET
    @Path("/hsms/{id}/attestations")
    @Operation(summary = "Rounds in which the HSM was the testee, newest first, paged")
    public Page<Round> attestations(@PathParam("id") String id, @QueryParam("page") String page, @QueryParam("size") String size) {
        String hsm = Ids.hex64("id", id);
        return store.rounds(null, null, hsm, RequestParams.page(page), RequestParams.size(size));
    }

    @GET
    @Path("/hsms/{id}/last-attestation")
    @Operation(summary = "The HSM's last passed attestation; with verified=true the chain's /attestation/last/<id>")
    public LastAttestation lastAttestation(@PathParam("id") String id, @QueryParam("verified") String verified) {
        String hsm = Ids.hex64("id", id);
        return (RequestParams.verified(verified) ? chain.lastAttestation(hsm) : store.lastAttestation(hsm))
                .orElseThrow(() -> ProblemException.notFound("last attestation of HSM", hsm));
    }

    @GET
    @Path("/verifiers")
    @Operation(summary = "Statistics of every HSM that voted or was charged for absence, by id, paged")
    public Page<VerifierStats> verifiers(@QueryParam("page") String page, @QueryParam("size") String size) {
        return store.verifiers(RequestParams.page(page), RequestParams.size(size));
    }

    @GET
    @Path("/verifiers/{id}")
    @Operation(summary = "One verifier's statistics")
    public VerifierStats verifier(@PathParam("id") String id) {
        String v = Ids.hex64("id", id);
        return store.verifier(v).orElseThrow(() -> ProblemException.notFound("verifier", v));
    }
}
