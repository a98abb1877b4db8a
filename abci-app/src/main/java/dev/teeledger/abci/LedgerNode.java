package dev.teeledger.abci;

import dev.teeledger.abci.app.AppKeys;
import dev.teeledger.abci.app.AppMetrics;
import dev.teeledger.abci.app.LedgerApplication;
import dev.teeledger.abci.app.MetricsServer;
import dev.teeledger.abci.app.NodeConfig;
import dev.teeledger.abci.app.TxHandler;
import dev.teeledger.abci.app.TxRouter;
import dev.teeledger.abci.attestation.AttestationGovTxHandler;
import dev.teeledger.abci.attestation.AttestationQueries;
import dev.teeledger.abci.attestation.RoundScheduler;
import dev.teeledger.abci.attestation.VoteTxHandler;
import dev.teeledger.abci.credit.CreditNormalizer;
import dev.teeledger.abci.credit.CreditQueries;
import dev.teeledger.abci.credit.CreditTxHandler;
import dev.teeledger.abci.credit.HsmDirectory;
import dev.teeledger.abci.firmware.FirmwareQueries;
import dev.teeledger.abci.firmware.FirmwareTxHandler;
import dev.teeledger.abci.gov.GovQueries;
import dev.teeledger.abci.gov.GovTxHandler;
import dev.teeledger.abci.hsm.FirmwareExpiry;
import dev.teeledger.abci.hsm.HsmQueries;
import dev.teeledger.abci.hsm.HsmTxHandler;
import dev.teeledger.abci.hsm.RegistryHsmDirectory;
import dev.teeledger.abci.manufacturer.ManufacturerQueries;
import dev.teeledger.abci.manufacturer.ManufacturerTxHandler;
import dev.teeledger.abci.query.QueryRouter;
import dev.teeledger.abci.server.AbciServer;
import dev.teeledger.abci.server.AbciServerConfig;
import dev.teeledger.abci.state.MerkleStore;
import dev.teeledger.abci.state.StoreConfig;
import dev.teeledger.protocol.sig.VerifiedSignatureCache;
import dev.teeledger.protocol.tx.v1.TxType;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The abci-app process: opens the store, wires the state modules into the
 * application, and serves ABCI and metrics until SIGTERM. Wiring only; every rule
 * lives in the modules.
 */
public final class LedgerNode implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LedgerNode.class.getName());

    private final MerkleStore store;
    private final ExecutorService verifierPool;
    private final AbciServer server;
    private final MetricsServer metricsServer;
    private final LedgerApplication application;

    public LedgerNode(NodeConfig config) throws Exception {
        this.store = MerkleStore.open(config.home().resolve("state"), StoreConfig.keepRecent(config.keepRecentVersions()));
        this.verifierPool = Executors.newFixedThreadPool(config.verifierThreads(), r -> {
            Thread t = new Thread(r, "sig-verifier");
            t.setDaemon(true);
            return t;
        });
        this.application = createApplication(store, verifierPool);
        AppMetrics metrics = application.metrics();
        this.metricsServer = config.metricsAddress().isEmpty() ? null : new MetricsServer(config.metricsAddress(), metrics);
        this.server = new AbciServer(AbciServerConfig.forAddress(config.abciAddress()), application);
        server.start();
        LOG.log(System.Logger.Level.INFO, "abci-app listening on {0}, metrics on {1}, state at height {2}",
                config.abciAddress(), config.metricsAddress().isEmpty() ? "(off)" : config.metricsAddress(), store.lastVersion());
    }

    /** The full application over an open store; also used by tests and benchmarks. */
    public static LedgerApplication createApplication(MerkleStore store, ExecutorService verifierPool) {
        return createApplication(store, verifierPool, new RegistryHsmDirectory());
    }

    /**
     * The application with another view of which HSMs exist. Only module tests use this,
     * to credit made-up HSM ids without joining real TPMs first.
     */
    public static LedgerApplication createApplication(MerkleStore store, ExecutorService verifierPool, HsmDirectory hsms) {
        Map<TxType, TxHandler> handlers = new EnumMap<>(TxType.class);
        GovTxHandler gov = new GovTxHandler();
        handlers.put(TxType.TX_TYPE_GOV_PARAM_CHANGE, gov);
        handlers.put(TxType.TX_TYPE_GOV_KEY_ROTATION, gov);
        ManufacturerTxHandler manufacturers = new ManufacturerTxHandler();
        handlers.put(TxType.TX_TYPE_MANUFACTURER_ADD, manufacturers);
        handlers.put(TxType.TX_TYPE_MANUFACTURER_REVOKE, manufacturers);
        FirmwareTxHandler firmware = new FirmwareTxHandler();
        handlers.put(TxType.TX_TYPE_FIRMWARE_APPROVE, firmware);
        handlers.put(TxType.TX_TYPE_FIRMWARE_RETIRE, firmware);
        HsmTxHandler hsm = new HsmTxHandler(RoundScheduler::afterJoin);
        handlers.put(TxType.TX_TYPE_HSM_JOIN, hsm);
        handlers.put(TxType.TX_TYPE_HSM_REVOKE, hsm);
        handlers.put(TxType.TX_TYPE_ATTESTATION_VOTE, new VoteTxHandler());
        AttestationGovTxHandler attestationGov = new AttestationGovTxHandler();
        handlers.put(TxType.TX_TYPE_ATTESTATION_REQUEST, attestationGov);
        handlers.put(TxType.TX_TYPE_ATTESTATION_BOOTSTRAP, attestationGov);
        // Credit is held only by HSMs the registry knows.
        CreditTxHandler credit = new CreditTxHandler(hsms);
        handlers.put(TxType.TX_TYPE_CREDIT_REPORTER_AUTHORIZE, credit);
        handlers.put(TxType.TX_TYPE_CREDIT_REPORTER_REVOKE, credit);
        handlers.put(TxType.TX_TYPE_CREDIT_ACTIVITY_REPORT, credit);
        TxRouter router = new TxRouter(handlers, new VerifiedSignatureCache(200_000));
        QueryRouter queries = new QueryRouter(store)
                .fixed("/app/chain", AppKeys.CHAIN)
                .fixed("/app/block", AppKeys.BLOCK);
        GovQueries.register(queries);
        ManufacturerQueries.register(queries);
        FirmwareQueries.register(queries);
        HsmQueries.register(queries);
        CreditQueries.register(queries);
        AttestationQueries.register(queries);
        AppMetrics metrics = new AppMetrics(() -> store.stats().keyCount(), () -> store.stats().approximateDiskBytes());
        // End-of-block order is consensus: registry suspensions (expired firmware) first, then
        // attestation rounds (close, then open), then credit normalization.
        return new LedgerApplication(store, router, queries, metrics, verifierPool,
                List.of(new FirmwareExpiry(), new RoundScheduler(), new CreditNormalizer()));
    }

    @Override
    public void close() throws Exception {
        server.close();
        if (metricsServer != null) {
            metricsServer.close();
        }
        verifierPool.shutdownNow();
        store.close();
    }

    public static void main(String[] args) throws Exception {
        NodeConfig config;
        try {
            config = NodeConfig.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("abci-app: " + e.getMessage());
            System.err.print(NodeConfig.USAGE);
            System.exit(2);
            return;
        }
        LedgerNode node = new LedgerNode(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.ERROR, "shutdown failed", e);
            } finally {
                stopped.countDown();
            }
        }, "shutdown"));
        stopped.await();
    }
}
