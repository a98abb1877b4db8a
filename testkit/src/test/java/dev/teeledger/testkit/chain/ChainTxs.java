package dev.teeledger.testkit.chain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.teeledger.protocol.sig.Signer;
import dev.teeledger.protocol.tx.TxBuilder;
import dev.teeledger.protocol.tx.v1.ParamChange;
import dev.teeledger.protocol.tx.v1.ParamValue;
import dev.teeledger.protocol.tx.v1.TxType;
import dev.teeledger.testkit.cometbft.LocalChain;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/** Small helpers the chain ITs share: build governance txs, broadcast and query over plain RPC. */
public final class ChainTxs {
    private ChainTxs() {}

    public static byte[] paramChange(String chainId, long nonce, String name, String value, List<? extends Signer> signers) {
        return TxBuilder.forChain(chainId).type(TxType.TX_TYPE_GOV_PARAM_CHANGE)
                .payload(ParamChange.newBuilder().addChanges(ParamValue.newBuilder().setName(name).setValue(value)).build())
                .nonce(nonce).signers(signers).build();
    }

    /**
     * broadcast_tx_commit; returns {@code result}. Fails loudly when the node answers an RPC
     * error or leaves out the block result, so that a missing {@code tx_result} can never
     * read as code 0.
     */
    public static JsonNode commit(LocalChain chain, byte[] tx) throws IOException, InterruptedException {
        JsonNode answer = chain.rpc("/broadcast_tx_commit?tx=0x" + HexFormat.of().formatHex(tx));
        JsonNode result = answer.path("result");
        if (answer.has("error") || !result.path("tx_result").isObject() || !result.path("check_tx").isObject()) {
            throw new AssertionError("broadcast_tx_commit did not commit: " + answer);
        }
        return result;
    }

    /** broadcast_tx_sync; returns {@code result}. */
    public static JsonNode sync(LocalChain chain, byte[] tx) throws IOException, InterruptedException {
        return chain.rpc("/broadcast_tx_sync?tx=0x" + HexFormat.of().formatHex(tx)).path("result");
    }

    /** abci_query; returns {@code result.response}. */
    public static JsonNode query(LocalChain chain, String path, byte[] data, long height, boolean prove) throws IOException, InterruptedException {
        String q = "/abci_query?path=" + URLEncoder.encode("\"" + path + "\"", StandardCharsets.UTF_8)
                + (data.length > 0 ? "&data=0x" + HexFormat.of().formatHex(data) : "")
                + (height > 0 ? "&height=" + height : "")
                + "&prove=" + prove;
        return chain.rpc(q).path("result").path("response");
    }

    public static byte[] value(JsonNode response) {
        return Base64.getDecoder().decode(response.path("value").asText(""));
    }

    public static byte[] appHashAt(LocalChain chain, long height) throws IOException, InterruptedException {
        return HexFormat.of().parseHex(chain.rpc("/block?height=" + height).path("result").path("block").path("header").path("app_hash").asText());
    }
}
