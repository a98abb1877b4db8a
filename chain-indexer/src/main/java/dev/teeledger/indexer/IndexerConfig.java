package dev.teeledger.indexer;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * The indexer's configuration, read from {@code teeledger.indexer.*} properties (file,
 * system properties or environment; see {@link IndexerMain} and docs/configuration.md).
 * Properties under {@code teeledger.indexer.kafka.client.} are passed to the Kafka clients
 * unchanged (TLS, SASL); none has a default, so no secret can ship in one.
 *
 * @param rpcUrl CometBFT RPC endpoint
 * @param websocketUrl CometBFT websocket ({@code /websocket})
 * @param kafkaClient Kafka client properties, including {@code bootstrap.servers}
 * @param indexerId checkpoint key and transactional-id suffix
 * @param topics topic names
 * @param createTopics whether to create missing topics at start
 * @param topicPartitions partitions of created event and tx topics
 * @param topicReplication replication factor of created topics
 * @param settings loop tuning
 */
public record IndexerConfig(
        URI rpcUrl, URI websocketUrl, Properties kafkaClient, String indexerId, IndexerTopics topics,
        boolean createTopics, int topicPartitions, short topicReplication, ChainIndexer.Settings settings) {

    public static final String PREFIX = "teeledger.indexer.";
    private static final String CLIENT_PREFIX = PREFIX + "kafka.client.";

    /**
     * Reads the configuration; unknown {@code teeledger.indexer.*} keys are refused, so that a
     * typo does not silently fall back to a default.
     *
     * @throws IndexerException naming the property that is missing or malformed
     */
    public static IndexerConfig from(Map<?, ?> props) throws IndexerException {
        Reader r = new Reader(props);
        URI rpc = r.uri("rpc-url", "http://127.0.0.1:26657");
        String ws = r.string("websocket-url", "");
        Properties kafka = new Properties();
        kafka.put("bootstrap.servers", r.string("kafka.bootstrap-servers", "127.0.0.1:9092"));
        for (Map.Entry<?, ?> e : props.entrySet()) {
            String k = String.valueOf(e.getKey());
            if (k.startsWith(CLIENT_PREFIX)) {
                kafka.put(k.substring(CLIENT_PREFIX.length()), String.valueOf(e.getValue()));
            }
        }
        String id = r.string("id", "main");
        if (!id.matches("[A-Za-z0-9._-]{1,100}")) {
            throw new IndexerException(PREFIX + "id must be 1-100 of [A-Za-z0-9._-]: '" + id + "'");
        }
        IndexerTopics topics;
        try {
            topics = IndexerTopics.withPrefix(r.string("topic-prefix", IndexerTopics.DEFAULT_PREFIX));
        } catch (IllegalArgumentException e) {
            throw new IndexerException(PREFIX + "topic-prefix: " + e.getMessage());
        }
        ChainIndexer.Settings settings;
        try {
            settings = new ChainIndexer.Settings(r.longValue("start-height", 1),
                    r.duration("poll-interval", "PT2S"), r.duration("min-backoff", "PT0.1S"), r.duration("max-backoff", "PT5S"));
        } catch (IllegalArgumentException e) {
            throw new IndexerException(PREFIX + "max-backoff: " + e.getMessage());
        }
        IndexerConfig c = new IndexerConfig(rpc, ws.isEmpty() ? NewBlockSubscription.websocketOf(rpc) : r.uri("websocket-url", ws),
                kafka, id, topics, r.bool("create-topics", true), (int) r.bounded("topic-partitions", 3, 10_000),
                (short) r.bounded("topic-replication", 1, Short.MAX_VALUE), settings);
        r.refuseUnknown();
        return c;
    }

    public IndexerConfig {
        Objects.requireNonNull(rpcUrl, "rpcUrl");
        Objects.requireNonNull(websocketUrl, "websocketUrl");
        kafkaClient = (Properties) kafkaClient.clone();
    }

    /** Known keys (after the prefix); everything else under the prefix is a typo. */
    private static final java.util.Set<String> KNOWN = java.util.Set.of("rpc-url", "websocket-url", "kafka.bootstrap-servers",
            "id", "topic-prefix", "create-topics", "topic-partitions", "topic-replication", "start-height", "poll-interval",
            "min-backoff", "max-backoff", "metrics-port");

    private static final class Reader {
        private final Map<?, ?> props;

        Reader(Map<?, ?> props) {
            this.props = props;
        }

        String string(String key, String def) {
            Object v = props.get(PREFIX + key);
            return v == null ? def : String.valueOf(v).strip();
        }

        URI uri(String key, String def) throws IndexerException {
            String s = string(key, def);
            try {
                URI u = new URI(s);
                if (u.getScheme() == null || u.getHost() == null) {
                    throw new IndexerException(PREFIX + key + " must be an absolute URL: '" + s + "'");
                }
                return u;
            } catch (java.net.URISyntaxException e) {
                throw new IndexerException(PREFIX + key + " is not a URL: '" + s + "'");
            }
        }

        long longValue(String key, long def) throws IndexerException {
            String s = string(key, Long.toString(def));
            try {
                long v = Long.parseLong(s);
                if (v < 1 || v > Integer.MAX_VALUE && !key.equals("start-height")) {
                    throw new NumberFormatException();
                }
                return v;
            } catch (NumberFormatException e) {
                throw new IndexerException(PREFIX + key + " must be a positive integer: '" + s + "'");
            }
        }

        long bounded(String key, long def, long max) throws IndexerException {
            long v = longValue(key, def);
            if (v > max) {
                throw new IndexerException(PREFIX + key + " must be at most " + max + ": " + v);
            }
            return v;
        }

        boolean bool(String key, boolean def) throws IndexerException {
            String s = string(key, Boolean.toString(def));
            if (!s.equals("true") && !s.equals("false")) {
                throw new IndexerException(PREFIX + key + " must be true or false: '" + s + "'");
            }
            return Boolean.parseBoolean(s);
        }

        Duration duration(String key, String def) throws IndexerException {
            String s = string(key, def);
            Duration d;
            try {
                d = Duration.parse(s);
            } catch (java.time.format.DateTimeParseException e) {
                throw new IndexerException(PREFIX + key + " must be an ISO-8601 duration like PT2S: '" + s + "'");
            }
            if (d.isNegative() || d.isZero()) {
                throw new IndexerException(PREFIX + key + " must be positive: '" + s + "'");
            }
            return d;
        }

        void refuseUnknown() throws IndexerException {
            for (Object k : props.keySet()) {
                String key = String.valueOf(k);
                if (key.startsWith(PREFIX) && !key.startsWith(CLIENT_PREFIX) && !KNOWN.contains(key.substring(PREFIX.length()))) {
                    throw new IndexerException("unknown property " + key);
                }
            }
        }
    }
}
