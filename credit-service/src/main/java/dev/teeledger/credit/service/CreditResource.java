package dev.teeledger.credit.service;

import dev.teeledger.credit.service.Views.Balance;
import dev.teeledger.credit.service.Views.BalanceChange;
import dev.teeledger.credit.service.Views.Listing;
import dev.teeledger.credit.service.Views.Normalization;
import dev.teeledger.credit.service.Views.Page;
import dev.teeledger.service.common.Ids;
import dev.teeledger.service.common.ProblemException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/**
 * The credit read endpoints under {@code /api/v1/credit}: an HSM's balance history (paged, from
 * the read model), all normalizations (read model) and an HSM's balance (from the chain,
 * light-client verified with {@code ?verified=true}, see {@link ChainBalances}). The read model
 * keeps no running balance: normalization rescales every balance without per-HSM events, so a
 * sum of deltas is not a balance. Parameters are taken as strings and validated here, so a
 * malformed value is a 400 problem.
 */
@Path("/api/v1/credit")
@Produces(MediaType.APPLICATION_JSON)
public class CreditResource {
    static final int MAX_PAGE_SIZE = 100;
    static final int DEFAULT_PAGE_SIZE = 20;

    private final CreditStore store;
    private final ChainBalances chain;

    public CreditResource(CreditStore store, ChainBalances chain) {
        this.store = store;
        this.chain = chain;
    }

    @GET
    @Path("/hsms/{id}/history")
    @Operation(summary = "An HSM's balance changes (mints and burns) in chain order, paged")
    public Page<BalanceChange> history(@PathParam("id") String id,
            @Parameter(description = "page number from 0") @QueryParam("page") String page,
            @Parameter(description = "page size 1-100, default 20") @QueryParam("size") String size) {
        String key = Ids.hex64("id", id);
        int p = intParam("page", page, 0, 0, Integer.MAX_VALUE / MAX_PAGE_SIZE);
        int s = intParam("size", size, DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
        return store.history(key, p, s);
    }

    @GET
    @Path("/normalizations")
    @Operation(summary = "Every credit normalization, oldest first")
    public Listing<Normalization> normalizations() {
        return new Listing<>(store.normalizations(), store.lastEventHeight());
    }

    @GET
    @Path("/hsms/{id}/balance")
    @Operation(summary = "An HSM's balance from the chain (shares × index); verified=true proves it with the light client")
    public Balance balance(@PathParam("id") String id, @QueryParam("verified") String verified) {
        String key = Ids.hex64("id", id);
        return verified(verified) ? chain.verified(key) : chain.unverified(key);
    }

    private static boolean verified(String value) {
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw ProblemException.badRequest("bad-parameter", "verified must be true or false, got '" + Ids.abbreviate(value) + "'");
    }

    private static int intParam(String name, String value, int dflt, int min, int max) {
        if (value == null) {
            return dflt;
        }
        try {
            int v = Integer.parseInt(value);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // fall through to the problem below
        }
        throw ProblemException.badRequest("bad-paging", name + " must be an integer from " + min + " to " + max
                + ", got '" + Ids.abbreviate(value) + "'");
    }
}
