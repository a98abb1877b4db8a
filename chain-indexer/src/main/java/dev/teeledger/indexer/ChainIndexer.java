package dev.teeledger.indexer;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The indexing loop: publishes every height from its checkpoint to the chain's tip, in order,
 * exactly once per successful {@link BlockSink#publish} (at least once overall: a failure after
 * the broker committed but before the answer arrived makes the height go out again, with the
 * same record ids).
 *
 * <p>How it follows the chain: {@link #onNewBlock(long)} (called by a
 * {@link NewBlockSubscription} on each websocket {@code NewBlock}) raises the target height and
 * wakes the loop; independently, each pass also asks the node for its latest height and the
 * loop wakes at least every {@link Settings#pollInterval()}. The websocket only lowers latency:
 * every pass publishes <em>all</em> heights from the checkpoint up to the target, one by one,
 * so a missed notification, a dropped websocket or a stopped indexer leaves no gap, only a
 * backfill. Transient failures ({@link RetryableException}) back off exponentially between
 * {@link Settings#minBackoff()} and {@link Settings#maxBackoff()} and retry the same height;
 * an {@link IndexerException} stops {@link #run()}.
 *
 * <p>Threads: {@link #run()} on one thread; {@link #onNewBlock}, {@link #stop()} and the
 * getters from any thread.
 */
public final class ChainIndexer {
    private static final System.Logger LOG = System.getLogger(ChainIndexer.class.getName());

    /**
     * Tuning of the loop.
     *
     * @param startHeight first height for an indexer id that has no checkpoint yet (ignored
     *     once one exists, so that a restart can never skip heights)
     * @param pollInterval longest wait between two passes without a notification
     * @param minBackoff first wait after a transient failure
     * @param maxBackoff cap of the doubling wait
     */
    public record Settings(long startHeight, Duration pollInterval, Duration minBackoff, Duration maxBackoff) {
        public Settings {
            if (startHeight < 1) {
                throw new IllegalArgumentException("startHeight must be >= 1");
            }
            for (Duration d : new Duration[] {pollInterval, minBackoff, maxBackoff}) {
                if (d == null || d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("durations must be positive");
                }
            }
            if (maxBackoff.compareTo(minBackoff) < 0) {
                throw new IllegalArgumentException("maxBackoff must be >= minBackoff");
            }
        }

        /** Height 1, poll every 2 s, back off 100 ms doubling to 5 s. */
        public static Settings defaults() {
            return new Settings(1, Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofSeconds(5));
        }
    }

    private final BlockSource source;
    private final BlockSink sink;
    private final Settings settings;
    private final AtomicLong notifiedHeight = new AtomicLong();
    private final AtomicLong nextHeight = new AtomicLong(-1);
    private final AtomicLong chainHeight = new AtomicLong();
    private final Object wake = new Object();
    private volatile boolean stopped;

    public ChainIndexer(BlockSource source, BlockSink sink, Settings settings) {
        this.source = Objects.requireNonNull(source, "source");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * Reads the checkpoint and decides the next height: checkpoint + 1, or
     * {@link Settings#startHeight()} without a checkpoint.
     *
     * @throws IndexerException if the checkpoint belongs to another chain, or to a block the
     *     node does not have at that height (the chain was reset under the same id)
     */
    public long resume() throws RetryableException, IndexerException {
        String chainId = source.chainId();
        Optional<Checkpoint> cp = sink.checkpoint();
        long next = settings.startHeight();
        if (cp.isPresent()) {
            Checkpoint c = cp.get();
            if (!c.chainId().equals(chainId)) {
                throw new IndexerException("checkpoint is for chain '" + c.chainId() + "' but the node serves '" + chainId
                        + "'; use another indexer id and topics for another chain");
            }
            String hash = source.fetch(c.height()).block().blockHash();
            if (!hash.equals(c.blockHash())) {
                throw new IndexerException("checkpoint block " + c.height() + " has hash " + c.blockHash()
                        + " but the node's block there is " + hash + "; the chain was reset");
            }
            next = c.height() + 1;
        }
        nextHeight.set(next);
        LOG.log(System.Logger.Level.INFO, "indexer resumes at height {0} of chain {1}", next, chainId);
        return next;
    }

    /**
     * Publishes every height from the next one up to {@code target}, in order. Progress is kept
     * when it throws: a later call continues at the failed height.
     *
     * @return the number of heights published
     */
    public long catchUp(long target) throws RetryableException, IndexerException {
        if (nextHeight.get() < 1) {
            throw new IllegalStateException("resume() first");
        }
        long published = 0;
        for (long h = nextHeight.get(); h <= target && !stopped; h++) {
            IndexedBlock block = source.fetch(h);
            if (block.height() != h) {
                throw new IndexerException("asked for height " + h + ", got " + block.height());
            }
            sink.publish(block);
            nextHeight.set(h + 1);
            published++;
        }
        return published;
    }

    /** Raises the target height; safe to call from any thread (the websocket listener). */
    public void onNewBlock(long height) {
        notifiedHeight.accumulateAndGet(height, Math::max);
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    /**
     * Runs until {@link #stop()}: resume, then catch up on every notification or poll.
     *
     * @throws IndexerException on a failure retrying cannot fix
     */
    public void run() throws IndexerException {
        Duration backoff = settings.minBackoff();
        while (!stopped && nextHeight.get() < 1) {
            try {
                resume();
            } catch (RetryableException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot resume yet: {0}", e.getMessage());
                sleep(backoff);
                backoff = next(backoff);
            }
        }
        backoff = settings.minBackoff();
        while (!stopped) {
            long target = notifiedHeight.get();
            try {
                long latest = source.latestHeight();
                chainHeight.accumulateAndGet(latest, Math::max);
                target = Math.max(target, latest);
                catchUp(target);
                backoff = settings.minBackoff();
            } catch (RetryableException e) {
                // At the tip, /status may name a height whose results are not stored yet.
                System.Logger.Level level = nextHeight.get() >= target ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING;
                LOG.log(level, "height {0}: {1}; retrying in {2}", nextHeight.get(), e.getMessage(), backoff);
                sleep(backoff);
                backoff = next(backoff);
                continue;
            }
            synchronized (wake) {
                if (!stopped && notifiedHeight.get() < nextHeight.get()) {
                    try {
                        wake.wait(settings.pollInterval().toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        stopped = true;
                    }
                }
            }
        }
    }

    /** Makes {@link #run()} return after the height in progress. */
    public void stop() {
        stopped = true;
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    /** The next height to publish, or -1 before {@link #resume()}. */
    public long nextHeight() {
        return nextHeight.get();
    }

    /** Blocks the chain has that are not published yet (0 when caught up), for a lag metric. */
    public long lag() {
        long tip = Math.max(chainHeight.get(), notifiedHeight.get());
        long next = nextHeight.get();
        return next < 1 ? tip : Math.max(0, tip - next + 1);
    }

    private Duration next(Duration backoff) {
        Duration d = backoff.multipliedBy(2);
        return d.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : d;
    }

    private void sleep(Duration d) {
        synchronized (wake) {
            if (stopped) {
                return;
            }
            try {
                wake.wait(d.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopped = true;
            }
        }
    }
}
