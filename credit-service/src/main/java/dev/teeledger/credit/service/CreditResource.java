package dev.teeledger.credit.service;

import dev.teeledger.credit.service.Views.Balance;
import dev.teeledger.credit.service.Views.BalanceChange;
import dev.teeledger.credit.service.Views.Listing;
import dev.teeledger.credit.service.Views.Normalization;
import dev.teeledger.credit.service.Views.Page;
import dev.teeledger.credit.service.Views.RankedHsm;
import dev.teeledger.credit.service.Views.Ranking;
import dev.teeledger.credit.service.Views.Supply;
import dev.teeledger.credit.service.Views.SupplyHistory;
import dev.teeledger.credit.service.Views.SupplyPoint;
import dev.teeledger.service.common.HeightRange;
import dev.teeledger.service.common.Ids;
import dev.teeledger.service.common.PageRequest;
import dev.teeledger.service.common.Paged;
import dev.teeledger.service.common.QueryParams;
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
 * the read model), all normalizations (read model), the supply history and the ranking (the
 * read model's fold of the event stream, {@link SupplyProjector}), and an HSM's balance and the
 * current supply (from the chain, light-client verified with {@code ?verified=true}, see
 * {@link ChainBalances}, {@link ChainSupply}). Parameters are taken as strings and validated with
 * service-common's {@link PageRequest}, {@link HeightRange} and {@link QueryParams}, so a
 * malformed value is a 400 problem. {@link CreditGrpcService} serves the same operations.
 */
@Path("/api/v1/credit")
@Produces(MediaType.APPLICATION_JSON)
public class CreditResource {
    private final CreditStore store;
    private final ChainBalances chain;
    private final ChainSupply supply;

    public CreditResource(CreditStore store, ChainBalances chain, ChainSupply supply) {
        this.store = store;
        this.chain = chain;
        this.supply = supply;
    }

    @GET
    @Path("/hsms/{id}/history")
    @Operation(summary = "An HSM's balance changes (mints and burns) in chain order, paged")
    public Page<BalanceChange> history(@PathParam("id") String id,
            @Parameter(description = "page number from 0") @QueryParam("page") String page,
            @Parameter(description = "page size 1-100, default 20") @QueryParam("size") String size) {
        String key = Ids.hex64("id", id);
        return store.history(key, PageRequest.parse(page, size));
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
        return QueryParams.verified(verified) ? chain.verified(key) : chain.unverified(key);
    }

    @GET
    @Path("/supply")
    @Operation(summary = "The chain's total supply, cap and normalization trigger; verified=true proves them with the light client")
    public Supply supply(@QueryParam("verified") String verified) {
        return QueryParams.verified(verified) ? supply.verified() : supply.unverified();
    }

    @GET
    @Path("/supply/history")
    @Operation(summary = "Total supply at every height where it changed, oldest first, paged")
    public SupplyHistory supplyHistory(
            @Parameter(description = "lowest height, default 0") @QueryParam("from") String from,
            @Parameter(description = "highest height, default unbounded") @QueryParam("to") String to,
            @Parameter(description = "page number from 0") @QueryParam("page") String page,
            @Parameter(description = "page size 1-100, default 20") @QueryParam("size") String size) {
        HeightRange range = HeightRange.parse(from, to);
        Paged<SupplyPoint> p = store.supplyHistory(range, PageRequest.parse(page, size));
        return new SupplyHistory(p.items(), p.page(), p.size(), p.total(), store.foldedHeight());
    }

    @GET
    @Path("/ranking")
    @Operation(summary = "HSMs holding credit by balance, highest first (ties by id), paged")
    public Ranking ranking(
            @Parameter(description = "page number from 0") @QueryParam("page") String page,
            @Parameter(description = "page size 1-100, default 20") @QueryParam("size") String size) {
        Paged<RankedHsm> p = store.ranking(PageRequest.parse(page, size));
        return new Ranking(p.items(), p.page(), p.size(), p.total(), store.foldedHeight());
    }
}
