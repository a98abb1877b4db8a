package dev.teeledger.indexer;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NewBlockSubscriptionTest {

    @Test
    void reportsTheHeightOfNewBlockNotificationsAndIgnoresTheRest() {
        List<Long> heights = new ArrayList<>();
        NewBlockSubscription s = new NewBlockSubscription(URI.create("ws://127.0.0.1:1/websocket"), heights::add, Duration.ofSeconds(1));
        s.handle("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}");
        s.handle("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"query\":\"tm.event='NewBlock'\",\"data\":{\"type\":\"tendermint/event/NewBlock\","
                + "\"value\":{\"block\":{\"header\":{\"height\":\"42\"}}}}}}");
        s.handle("{\"result\":{\"data\":{\"type\":\"tendermint/event/Tx\",\"value\":{}}}}");
        s.handle("{\"result\":{\"data\":{\"type\":\"tendermint/event/NewBlock\",\"value\":{\"block\":{\"header\":{\"height\":\"x\"}}}}}}");
        s.handle("garbage");
        assertThat(heights).containsExactly(42L);
    }

    @Test
    void derivesTheWebsocketFromTheRpcUrl() {
        assertThat(NewBlockSubscription.websocketOf(URI.create("http://127.0.0.1:26657")))
                .isEqualTo(URI.create("ws://127.0.0.1:26657/websocket"));
        assertThat(NewBlockSubscription.websocketOf(URI.create("https://n.example/rpc/")))
                .isEqualTo(URI.create("wss://n.example/rpc/websocket"));
    }
}
