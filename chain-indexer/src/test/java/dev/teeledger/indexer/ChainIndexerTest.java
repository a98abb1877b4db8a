package dev.teeledger.indexer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The loop's backfill, resume and retry logic against a scripted chain and an in-memory sink. */
class ChainIndexerTest {
    private static final ChainIndexer.Settings FAST =
            new ChainIndexer.Settings(1, Duration.ofMillis(20), Duration.ofMillis(1), Duration.ofMillis(5));

    /** A chain whose tip the test moves; fetches fail on demand. */
    static final class FakeChain implements BlockSource {
        volatile long tip;
        volatile String chainId = Blocks.CHAIN;
        Random failures;
        double failureRate;
        int fetches;

        @Override
        public String chainId() {
            return chainId;
        }

        @Override
        public synchronized long latestHeight() throws RetryableException {
            maybeFail("status");
            return tip;
        }

        @Override
        public synchronized IndexedBlock fetch(long height) throws RetryableException {
            fetches++;
            maybeFail("block " + height);
            if (height > tip) {
                throw new RetryableException("could not find results for height #" + height, null);
            }
            return Blocks.simple(height);
        }

        private void maybeFail(String what) throws RetryableException {
            if (failures != null && failures.nextDouble() < failureRate) {
                throw new RetryableException("injected failure on " + what, null);
            }
        }
    }

    /** Keeps published heights and a checkpoint; fails (before anything is visible) on demand. */
    static final class MemorySink implements BlockSink {
        final List<IndexedBlock> published = new ArrayList<>();
        Checkpoint checkpoint;
        Random failures;
        double failureRate;

        @Override
        public synchronized Optional<Checkpoint> checkpoint() {
            return Optional.ofNullable(checkpoint);
        }

        @Override
        public synchronized void publish(IndexedBlock block) throws RetryableException {
            if (failures != null && failures.nextDouble() < failureRate) {
                throw new RetryableException("injected abort at " + block.height(), null);
            }
            published.add(block);
            checkpoint = new Checkpoint(block.block().chainId(), block.height(), block.block().blockHash());
        }

        synchronized List<Long> heights() {
            return published.stream().map(IndexedBlock::height).toList();
        }

        @Override
        public void close() {}
    }

    @Test
    void freshIndexerStartsAtTheConfiguredHeightAndPublishesEveryHeightInOrder() throws Exception {
        FakeChain chain = new FakeChain();
        chain.tip = 5;
        MemorySink sink = new MemorySink();
        ChainIndexer ix = new ChainIndexer(chain, sink, new ChainIndexer.Settings(3, Duration.ofSeconds(1), Duration.ofMillis(1), Duration.ofMillis(2)));
        assertThat(ix.resume()).isEqualTo(3);
        assertThat(ix.catchUp(5)).isEqualTo(3);
        assertThat(sink.heights()).containsExactly(3L, 4L, 5L);
        assertThat(ix.nextHeight()).isEqualTo(6);
    }

    @Test
    void resumesAfterTheCheckpointIgnoringStartHeight() throws Exception {
        FakeChain chain = new FakeChain();
        chain.tip = 9;
        MemorySink sink = new MemorySink();
        sink.checkpoint = new Checkpoint(Blocks.CHAIN, 6, Blocks.simple(6).block().blockHash());
        ChainIndexer ix = new ChainIndexer(chain, sink, new ChainIndexer.Settings(100, Duration.ofSeconds(1), Duration.ofMillis(1), Duration.ofMillis(2)));
        assertThat(ix.resume()).isEqualTo(7);
        ix.catchUp(9);
        assertThat(sink.heights()).containsExactly(7L, 8L, 9L);
    }

    @Test
    void refusesACheckpointOfAnotherChainOrOfAResetChain() throws Exception {
        FakeChain chain = new FakeChain();
        chain.tip = 9;
        MemorySink sink = new MemorySink();
        sink.checkpoint = new Checkpoint("other-chain", 6, "00");
        assertThatThrownBy(() -> new ChainIndexer(chain, sink, FAST).resume())
                .isInstanceOf(IndexerException.class).hasMessageContaining("other-chain");
        sink.checkpoint = new Checkpoint(Blocks.CHAIN, 6, "DEADBEEF");
        assertThatThrownBy(() -> new ChainIndexer(chain, sink, FAST).resume())
                .isInstanceOf(IndexerException.class).hasMessageContaining("reset");
    }

    @Test
    void failureKeepsProgressAndTheNextPassContinuesAtTheFailedHeight() throws Exception {
        FakeChain chain = new FakeChain();
        chain.tip = 4;
        MemorySink sink = new MemorySink();
        ChainIndexer ix = new ChainIndexer(chain, sink, FAST);
        ix.resume();
        assertThatThrownBy(() -> ix.catchUp(6)).isInstanceOf(RetryableException.class);
        assertThat(sink.heights()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(ix.nextHeight()).isEqualTo(5);
        chain.tip = 6;
        ix.catchUp(6);
        assertThat(sink.heights()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    }

    @Test
    void catchUpBeforeResumeIsRefused() {
        ChainIndexer ix = new ChainIndexer(new FakeChain(), new MemorySink(), FAST);
        assertThatThrownBy(() -> ix.catchUp(3)).isInstanceOf(IllegalStateException.class);
    }

    /**
     * The loop under random source and sink failures, with notifications that skip heights,
     * arrive late or never, and an indexer restarted on the same sink part-way: the published
     * heights are exactly 1..tip, each once.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void runBackfillsEveryGapWithNoDuplicateUnderRandomFailures(long seed) throws Exception {
        Random random = new Random(seed);
        FakeChain chain = new FakeChain();
        chain.failures = new Random(seed * 31);
        chain.failureRate = 0.2;
        MemorySink sink = new MemorySink();
        sink.failures = new Random(seed * 17);
        sink.failureRate = 0.2;
        for (int run = 0; run < 2; run++) {
            ChainIndexer ix = new ChainIndexer(chain, sink, FAST);
            CompletableFuture<Void> loop = CompletableFuture.runAsync(() -> {
                try {
                    ix.run();
                } catch (IndexerException e) {
                    throw new IllegalStateException(e);
                }
            });
            for (int step = 0; step < 15; step++) {
                chain.tip += 1 + random.nextInt(4);
                if (random.nextBoolean()) {
                    ix.onNewBlock(chain.tip - random.nextInt(2));
                }
                Thread.sleep(random.nextInt(5));
            }
            long tip = chain.tip;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (ix.nextHeight() <= tip && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            ix.stop();
            loop.get(5, TimeUnit.SECONDS);
            assertThat(ix.nextHeight()).isGreaterThan(tip);
        }
        List<Long> heights = sink.heights();
        Set<Long> distinct = new HashSet<>(heights);
        assertThat(distinct).hasSameSizeAs(heights);
        for (int i = 0; i < heights.size(); i++) {
            assertThat(heights.get(i)).isEqualTo(i + 1L);
        }
        assertThat(heights.get(heights.size() - 1)).isGreaterThanOrEqualTo(chain.tip - 0);
    }

    @Test
    void lagCountsUnpublishedBlocks() throws Exception {
        FakeChain chain = new FakeChain();
        chain.tip = 3;
        MemorySink sink = new MemorySink();
        ChainIndexer ix = new ChainIndexer(chain, sink, FAST);
        ix.resume();
        ix.onNewBlock(3);
        assertThat(ix.lag()).isEqualTo(3);
        ix.catchUp(2);
        assertThat(ix.lag()).isEqualTo(1);
        ix.catchUp(3);
        assertThat(ix.lag()).isZero();
    }
}
