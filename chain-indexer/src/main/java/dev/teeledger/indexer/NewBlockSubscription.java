package dev.teeledger.indexer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Subscribes to CometBFT's {@code NewBlock} events over the RPC websocket ({@code /websocket},
 * JSON-RPC {@code subscribe} with query {@code tm.event='NewBlock'}) and reports each block's
 * height to a listener ({@link ChainIndexer#onNewBlock}). It only signals; the indexer fetches
 * blocks and results over plain RPC, so a lost or malformed notification costs latency, never
 * data. The connection is re-opened after any close or failure, with a doubling delay up to
 * {@code maxBackoff}, on a daemon thread, until {@link #close()}.
 */
public final class NewBlockSubscription implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NewBlockSubscription.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Bound on one reassembled message; NewBlock carries the block's transactions. */
    private static final int MAX_MESSAGE_CHARS = 64 << 20;

    private final URI uri;
    private final LongConsumer listener;
    private final Duration maxBackoff;
    private final HttpClient http;
    private final Thread thread;
    private volatile boolean closed;
    private volatile WebSocket socket;

    /**
     * @param uri the node's websocket, e.g. {@code ws://127.0.0.1:26657/websocket}
     * @param listener receives block heights (possibly repeated or out of order after reconnects)
     * @param maxBackoff cap of the delay between reconnection attempts
     */
    public NewBlockSubscription(URI uri, LongConsumer listener, Duration maxBackoff) {
        this.uri = Objects.requireNonNull(uri, "uri");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.maxBackoff = Objects.requireNonNull(maxBackoff, "maxBackoff");
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.thread = new Thread(this::loop, "teeledger-indexer-websocket");
        this.thread.setDaemon(true);
    }

    /** The websocket URI of a node whose RPC is at {@code rpcUrl} ({@code http(s)} → {@code ws(s)}). */
    public static URI websocketOf(URI rpcUrl) {
        String scheme = "https".equals(rpcUrl.getScheme()) ? "wss" : "ws";
        String path = rpcUrl.getPath() == null ? "" : rpcUrl.getPath().replaceAll("/+$", "");
        return URI.create(scheme + "://" + rpcUrl.getRawAuthority() + path + "/websocket");
    }

    /** Starts connecting in the background. */
    public NewBlockSubscription start() {
        thread.start();
        return this;
    }

    private void loop() {
        Duration backoff = Duration.ofMillis(100);
        while (!closed) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            try {
                WebSocket ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                        .buildAsync(uri, new Listener(done)).get(10, TimeUnit.SECONDS);
                socket = ws;
                ws.sendText("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"subscribe\","
                        + "\"params\":{\"query\":\"tm.event='NewBlock'\"}}", true).get(10, TimeUnit.SECONDS);
                LOG.log(System.Logger.Level.INFO, "subscribed to NewBlock at {0}", uri);
                backoff = Duration.ofMillis(100);
                done.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "websocket {0}: {1}; reconnecting in {2}", uri, e.toString(), backoff);
                }
            }
            socket = null;
            if (closed) {
                return;
            }
            try {
                Thread.sleep(backoff.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
        }
    }

    /** Reports the height of a NewBlock notification; ignores anything else. */
    void handle(String message) {
        try {
            JsonNode n = JSON.readTree(message);
            JsonNode data = n.path("result").path("data");
            if (!"tendermint/event/NewBlock".equals(data.path("type").asText())) {
                return;
            }
            String h = data.path("value").path("block").path("header").path("height").asText("");
            listener.accept(Long.parseLong(h));
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "ignoring websocket message: {0}", e.toString());
        }
    }

    @Override
    public void close() {
        closed = true;
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
        thread.interrupt();
    }

    private final class Listener implements WebSocket.Listener {
        private final CompletableFuture<Void> done;
        private final StringBuilder buffer = new StringBuilder();

        Listener(CompletableFuture<Void> done) {
            this.done = done;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            if (buffer.length() + data.length() > MAX_MESSAGE_CHARS) {
                ws.abort();
                done.completeExceptionally(new IllegalStateException("websocket message over " + MAX_MESSAGE_CHARS + " chars"));
                return null;
            }
            buffer.append(data);
            if (last) {
                String msg = buffer.toString();
                buffer.setLength(0);
                handle(msg);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            done.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            done.completeExceptionally(error);
        }
    }
}
