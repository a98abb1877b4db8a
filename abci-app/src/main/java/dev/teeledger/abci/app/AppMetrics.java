package dev.teeledger.abci.app;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The application's Prometheus metrics: committed height, transactions by type
 * and result code, FinalizeBlock and Commit latency histograms, store size, events by
 * type, and attestation rounds by outcome (what an operator alerts on: a rising FAIL
 * or INCONCLUSIVE share means HSMs or verifiers in trouble), and the credit total against
 * its cap and normalization trigger (docs/credits.md), read from the committed state.
 * Metrics observe block execution but never feed back into it, so their clock
 * reads do not touch determinism.
 */
public final class AppMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicLong height = new AtomicLong();
    private final AtomicLong creditTotal = new AtomicLong();
    private final AtomicLong creditCap = new AtomicLong();
    private final AtomicLong creditTriggerBps = new AtomicLong();
    private final Timer finalizeBlock;
    private final Timer commit;
    private final ConcurrentHashMap<String, Counter> txCounters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> eventCounters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> roundCounters = new ConcurrentHashMap<>();

    public AppMetrics(LongSupplier storeKeys, LongSupplier storeBytes) {
        Gauge.builder("teeledger_block_height", height, AtomicLong::get)
                .description("Height of the last committed block").register(registry);
        finalizeBlock = Timer.builder("teeledger_finalize_block")
                .description("Time to execute a block in FinalizeBlock")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        commit = Timer.builder("teeledger_commit")
                .description("Time to persist a block's state in Commit")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        Gauge.builder("teeledger_store_keys", storeKeys::getAsLong)
                .description("Number of keys in the latest state").register(registry);
        Gauge.builder("teeledger_store_size_bytes", storeBytes::getAsLong)
                .description("Approximate size of the state store on disk").register(registry);
        Gauge.builder("teeledger_credit_total_supply", creditTotal, AtomicLong::get)
                .description("Total credit T = floor(S x I) after the last committed block").register(registry);
        Gauge.builder("teeledger_credit_cap", creditCap, AtomicLong::get)
                .description("Parameter credit.cap after the last committed block").register(registry);
        Gauge.builder("teeledger_credit_normalization_trigger_bps", creditTriggerBps, AtomicLong::get)
                .description("Parameter credit.normalization_trigger_bps after the last committed block").register(registry);
    }

    /** The credit total and its limits as of the last commit (read from the committed state). */
    public void credit(long total, long cap, long triggerBps) {
        creditTotal.set(total);
        creditCap.set(cap);
        creditTriggerBps.set(triggerBps);
    }

    public void committed(long h, long nanos) {
        height.set(h);
        commit.record(Duration.ofNanos(nanos));
    }

    public void finalized(long nanos) {
        finalizeBlock.record(Duration.ofNanos(nanos));
    }

    public void tx(String phase, String type, int code) {
        String key = phase + '|' + type + '|' + code;
        txCounters.computeIfAbsent(key, k -> Counter.builder("teeledger_txs")
                .description("Transactions seen, by ABCI phase (check, deliver), type and result code")
                .tag("phase", phase).tag("type", type).tag("code", Integer.toString(code))
                .register(registry)).increment();
    }

    /** Counts one event a finalized block emitted (transaction or end-of-block). */
    public void event(String type, java.util.function.Function<String, String> attribute) {
        eventCounters.computeIfAbsent(type, t -> Counter.builder("teeledger_events")
                .description("ABCI events emitted by finalized blocks, by type")
                .tag("type", t).register(registry)).increment();
        if (type.equals("attestation.round_closed")) {
            String outcome = String.valueOf(attribute.apply("outcome"));
            roundCounters.computeIfAbsent(outcome, o -> Counter.builder("teeledger_attestation_rounds")
                    .description("Attestation rounds closed, by outcome (PASS, FAIL, INCONCLUSIVE)")
                    .tag("outcome", o).register(registry)).increment();
        }
    }

    /** The Prometheus text exposition of every metric. */
    public String scrape() {
        return registry.scrape();
    }
}
