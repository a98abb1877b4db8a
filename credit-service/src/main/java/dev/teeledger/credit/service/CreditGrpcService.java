package dev.teeledger.credit.service;

import dev.teeledger.credit.service.v1.Balance;
import dev.teeledger.credit.service.v1.BalanceChange;
import dev.teeledger.credit.service.v1.CreditService;
import dev.teeledger.credit.service.v1.GetBalanceRequest;
import dev.teeledger.credit.service.v1.GetHistoryRequest;
import dev.teeledger.credit.service.v1.GetRankingRequest;
import dev.teeledger.credit.service.v1.GetSupplyHistoryRequest;
import dev.teeledger.credit.service.v1.GetSupplyRequest;
import dev.teeledger.credit.service.v1.HistoryPage;
import dev.teeledger.credit.service.v1.ListNormalizationsRequest;
import dev.teeledger.credit.service.v1.Normalization;
import dev.teeledger.credit.service.v1.NormalizationList;
import dev.teeledger.credit.service.v1.RankedHsm;
import dev.teeledger.credit.service.v1.Ranking;
import dev.teeledger.credit.service.v1.Supply;
import dev.teeledger.credit.service.v1.SupplyHistory;
import dev.teeledger.credit.service.v1.SupplyPoint;
import dev.teeledger.service.common.GrpcProblems;
import dev.teeledger.service.common.HeightRange;
import dev.teeledger.service.common.Ids;
import dev.teeledger.service.common.PageRequest;
import dev.teeledger.service.common.Paged;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import java.util.function.Supplier;

/**
 * The gRPC API {@code teeledger.credit.service.v1.CreditService}, on the HTTP port
 * ({@code quarkus.grpc.server.use-separate-server=false}). Each method validates like
 * {@link CreditResource} (service-common's {@link PageRequest}, {@link HeightRange},
 * {@link Ids}), reads through the same {@link CreditStore}, {@link ChainBalances} and
 * {@link ChainSupply}, and maps problems to gRPC statuses with {@link GrpcProblems}. Blocking
 * (JDBC and chain RPC), so every method runs on a worker thread.
 */
@GrpcService
public class CreditGrpcService implements CreditService {
    private final CreditStore store;
    private final ChainBalances balances;
    private final ChainSupply supply;

    public CreditGrpcService(CreditStore store, ChainBalances balances, ChainSupply supply) {
        this.store = store;
        this.balances = balances;
        this.supply = supply;
    }

    private static <T> Uni<T> call(Supplier<T> body) {
        return Uni.createFrom().item(() -> GrpcProblems.call(body));
    }

    @Override
    @Blocking
    public Uni<Balance> getBalance(GetBalanceRequest request) {
        return call(() -> {
            String id = Ids.hex64("hsm_id", request.getHsmId());
            Views.Balance b = request.getVerified() ? balances.verified(id) : balances.unverified(id);
            return Balance.newBuilder().setHsmId(b.hsmId()).setBalance(b.balance()).setShares(b.shares()).setHeight(b.height())
                    .setSource(b.source()).build();
        });
    }

    @Override
    @Blocking
    public Uni<HistoryPage> getHistory(GetHistoryRequest request) {
        return call(() -> {
            String id = Ids.hex64("hsm_id", request.getHsmId());
            Views.Page<Views.BalanceChange> p = store.history(id, PageRequest.of(request.getPage(), request.getSize()));
            HistoryPage.Builder out = HistoryPage.newBuilder().setPage(p.page()).setSize(p.size()).setTotal(p.total())
                    .setLastEventHeight(p.lastEventHeight());
            for (Views.BalanceChange c : p.items()) {
                out.addItems(BalanceChange.newBuilder().setEventId(c.eventId()).setHsmId(c.hsmId()).setDelta(c.delta())
                        .setReason(c.reason()).setHeight(c.height()));
            }
            return out.build();
        });
    }

    @Override
    @Blocking
    public Uni<NormalizationList> listNormalizations(ListNormalizationsRequest request) {
        return call(() -> {
            NormalizationList.Builder out = NormalizationList.newBuilder().setLastEventHeight(store.lastEventHeight());
            for (Views.Normalization n : store.normalizations()) {
                out.addItems(Normalization.newBuilder().setEventId(n.eventId()).setHeight(n.height()).setOldTotal(n.oldTotal())
                        .setNewTotal(n.newTotal()).setFactor(n.factor()));
            }
            return out.build();
        });
    }

    @Override
    @Blocking
    public Uni<Supply> getSupply(GetSupplyRequest request) {
        return call(() -> {
            Views.Supply s = request.getVerified() ? supply.verified() : supply.unverified();
            return Supply.newBuilder().setTotal(s.total()).setTotalShares(s.totalShares()).setAccounts(s.accounts())
                    .setCap(s.cap()).setTriggerBps(s.triggerBps()).setTriggerTotal(s.triggerTotal()).setHeight(s.height())
                    .setSource(s.source()).build();
        });
    }

    @Override
    @Blocking
    public Uni<SupplyHistory> getSupplyHistory(GetSupplyHistoryRequest request) {
        return call(() -> {
            HeightRange range = HeightRange.of(request.getFrom(), request.getTo());
            Paged<Views.SupplyPoint> p = store.supplyHistory(range, PageRequest.of(request.getPage(), request.getSize()));
            SupplyHistory.Builder out = SupplyHistory.newBuilder().setPage(p.page()).setSize(p.size()).setTotal(p.total())
                    .setHeight(store.foldedHeight());
            for (Views.SupplyPoint s : p.items()) {
                out.addItems(SupplyPoint.newBuilder().setHeight(s.height()).setTotal(s.total()).setAccounts(s.accounts())
                        .setNormalized(s.normalized()));
            }
            return out.build();
        });
    }

    @Override
    @Blocking
    public Uni<Ranking> getRanking(GetRankingRequest request) {
        return call(() -> {
            Paged<Views.RankedHsm> p = store.ranking(PageRequest.of(request.getPage(), request.getSize()));
            Ranking.Builder out = Ranking.newBuilder().setPage(p.page()).setSize(p.size()).setTotal(p.total())
                    .setHeight(store.foldedHeight());
            for (Views.RankedHsm r : p.items()) {
                out.addItems(RankedHsm.newBuilder().setRank(r.rank()).setHsmId(r.hsmId()).setBalance(r.balance())
                        .setShares(r.shares()));
            }
            return out.build();
        });
    }
}
