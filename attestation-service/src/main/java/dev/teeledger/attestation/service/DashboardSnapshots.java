package dev.teeledger.attestation.service;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.teeledger.attestation.service.Views.Normalization;
import dev.teeledger.attestation.service.Views.Round;
import dev.teeledger.chain.rpc.AbciQueryResult;
import dev.teeledger.chain.rpc.ChainRpcException;
import dev.teeledger.protocol.state.v1.CreditSupply;
import dev.teeledger.protocol.state.v1.HsmIdPage;
import dev.teeledger.protocol.state.v1.HsmListCount;
import dev.teeledger.protocol.state.v1.HsmRecord;
import dev.teeledger.protocol.state.v1.ManufacturerRecord;
import dev.teeledger.protocol.state.v1.ParamRecord;
import dev.teeledger.service.common.ChainClients;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * Builds the dashboard's snapshot: chain height (node {@code /status}), HSMs with state and
 * manufacturer (the chain's paged by-state lists {@code /hsm/count|page/by_state/<n>}, then
 * {@code /hsm/<id>} and {@code /manufacturer/<mid>}, docs/registry.md "Keys and queries"),
 * open and recent rounds (read model), credit total against the cap ({@code /credit/supply},
 * {@code /credit/cap}, docs/credits.md) with a short in-memory history, and normalizations
 * (read model of {@code credit.normalized}). The chain reads are plain RPC queries, not proven:
 * the dashboard is a live view, the API's {@code ?verified=true} is the place for proofs.
 *
 * <p>A snapshot is rebuilt only when the indexed or chain height moved, at most once per
 * {@link #MIN_REFRESH_MILLIS}; concurrent callers (SSE clients) share it.
 */
@ApplicationScoped
public class DashboardSnapshots {
    static final long MIN_REFRESH_MILLIS = 500;
    /** HSMs shown at most (the page is an overview, not a registry browser). */
    static final int MAX_HSMS = 200;
    /** {@code credit.cap} when governance never set it (docs/credits.md, parameter table). */
    static final long DEFAULT_CAP = 1_000_000_000L;
    private static final int HISTORY = 300;
    private static final String[] STATES = {"PENDING", "ACTIVE", "SUSPENDED", "REVOKED"};
    private static final HexFormat HEX = HexFormat.of();
    private static final Logger LOG = Logger.getLogger(DashboardSnapshots.class);

    private final AttestationStore store;
    private final ChainClients chain;
    private final ArrayDeque<SupplyPoint> history = new ArrayDeque<>();
    private Snapshot latest;
    private long checkedAt;

    public DashboardSnapshots(AttestationStore store, ChainClients chain) {
        this.store = store;
        this.chain = chain;
    }

    /** An HSM as the dashboard lists it. */
    public record HsmRow(String id, String state, String manufacturerId, String manufacturer) {}

    /** Credit supply at one height. */
    public record SupplyPoint(long height, long total) {}

    /** The credit panel: current total and cap, recent totals, normalizations. */
    public record Credit(Long total, long cap, Long accounts, List<SupplyPoint> history, List<Normalization> normalizations) {}

    /** Everything the page shows; {@code chain_error} says why chain parts are missing. */
    public record Snapshot(long chainHeight, long indexedHeight, String chainId, List<HsmRow> hsms, Map<String, Long> hsmCounts,
            List<Round> openRounds, List<Round> recentRounds, Credit credit, String chainError) {}

    /** The current snapshot, rebuilt if a height moved since the last one. */
    public synchronized Snapshot current() {
        long now = System.nanoTime() / 1_000_000;
        if (latest != null && now - checkedAt < MIN_REFRESH_MILLIS) {
            return latest;
        }
        checkedAt = now;
        long indexed = store.indexedHeight();
        long chainHeight = -1;
        String chainId = null;
        String error = null;
        try {
            var status = chain.status();
            chainHeight = status.latestHeight();
            chainId = status.chainId();
        } catch (ChainRpcException | RuntimeException e) {
            error = "chain node: " + e.getMessage();
        }
        if (latest != null && latest.indexedHeight() == indexed && latest.chainHeight() == chainHeight) {
            return latest;
        }
        latest = build(indexed, chainHeight, chainId, error);
        return latest;
    }

    private Snapshot build(long indexed, long chainHeight, String chainId, String error) {
        List<HsmRow> hsms = new ArrayList<>();
        Map<String, Long> counts = new TreeMap<>();
        Long total = null;
        Long accounts = null;
        long cap = DEFAULT_CAP;
        if (error == null) {
            try {
                Map<String, String> manufacturers = new TreeMap<>();
                for (int s = 1; s <= STATES.length; s++) {
                    byte[] countValue = value("/hsm/count/by_state/" + s);
                    HsmListCount count = countValue == null ? HsmListCount.getDefaultInstance() : HsmListCount.parseFrom(countValue);
                    counts.put(STATES[s - 1], count.getCount());
                    long pages = count.getPageSize() == 0 ? 0 : (count.getCount() + count.getPageSize() - 1) / count.getPageSize();
                    for (long p = 0; p < pages && hsms.size() < MAX_HSMS; p++) {
                        byte[] pageValue = value("/hsm/page/by_state/" + s + "/" + p);
                        if (pageValue == null) {
                            continue;
                        }
                        for (var id : HsmIdPage.parseFrom(pageValue).getHsmIdsList()) {
                            if (hsms.size() >= MAX_HSMS) {
                                break;
                            }
                            hsms.add(hsm(HEX.formatHex(id.toByteArray()), manufacturers));
                        }
                    }
                }
                byte[] supply = value("/credit/supply");
                if (supply != null) {
                    CreditSupply cs = CreditSupply.parseFrom(supply);
                    total = cs.getTotal();
                    accounts = cs.getAccounts();
                } else {
                    total = 0L;
                    accounts = 0L;
                }
                byte[] capValue = value("/credit/cap");
                if (capValue != null) {
                    cap = ParamRecord.parseFrom(capValue).getValue();
                }
                if (history.isEmpty() || history.peekLast().height() < chainHeight) {
                    history.addLast(new SupplyPoint(chainHeight, total));
                    while (history.size() > HISTORY) {
                        history.removeFirst();
                    }
                }
            } catch (ChainRpcException | InvalidProtocolBufferException | RuntimeException e) {
                LOG.debugf("dashboard chain read failed: %s", e.getMessage());
                error = "chain query: " + e.getMessage();
            }
        }
        hsms.sort(java.util.Comparator.comparing(HsmRow::id));
        List<Round> open = store.rounds("OPEN", null, null, 0, 50).items();
        List<Round> recent = store.rounds("CLOSED", null, null, 0, 20).items();
        Credit credit = new Credit(total, cap, accounts, List.copyOf(history), store.normalizations(100));
        return new Snapshot(chainHeight, indexed, chainId, hsms, counts, open, recent, credit, error);
    }

    private HsmRow hsm(String id, Map<String, String> manufacturers) throws ChainRpcException, InvalidProtocolBufferException {
        byte[] v = value("/hsm/" + id);
        if (v == null) {
            return new HsmRow(id, "UNKNOWN", null, null);
        }
        HsmRecord r = HsmRecord.parseFrom(v);
        String mid = HEX.formatHex(r.getManufacturerId().toByteArray());
        String name = manufacturers.get(mid);
        if (name == null) {
            byte[] m = value("/manufacturer/" + mid);
            name = m == null ? "" : ManufacturerRecord.parseFrom(m).getName();
            manufacturers.put(mid, name);
        }
        return new HsmRow(id, AttestationStore.strip(r.getState().name(), "HSM_STATE_"), mid, name);
    }

    private byte[] value(String path) throws ChainRpcException {
        AbciQueryResult q = chain.rpc().abciQuery(path, new byte[0], 0, false);
        return q.code() == 0 ? q.value() : null;
    }
}
