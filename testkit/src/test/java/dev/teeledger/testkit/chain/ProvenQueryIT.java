package dev.teeledger.testkit.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teeledger.chain.light.LightClientException;
import dev.teeledger.chain.light.VerifiedQueryClient;
import dev.teeledger.protocol.state.v1.GovernanceKeySet;
import dev.teeledger.protocol.state.v1.ParamRecord;
import dev.teeledger.testkit.cometbft.LocalChain;
import dev.teeledger.testkit.fixtures.GovernanceFixture;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Queries with proofs, verified end to end: the header H+1 against the genesis
 * validator set (light-client rules), the Merkle proof against its app hash. A
 * man in the middle that alters value, proof or header is caught.
 */
class ProvenQueryIT {
    private static final GovernanceFixture GOV = new GovernanceFixture(3, 2);
    private static LocalChain chain;
    private static TamperingRpcProxy proxy;
    private static VerifiedQueryClient client;

    @BeforeAll
    static void start() throws Exception {
        chain = LocalChain.builder().chainId("proof-it").appState(GOV.appState(Map.of())).build().start();
        ChainTxs.commit(chain, ChainTxs.paramChange(chain.chainId(), 0, "tx.max_signers", "9", GOV.first(2)));
        proxy = new TamperingRpcProxy(chain.rpcUrl());
        client = chain.verifiedQueryClient(proxy.url());
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (chain != null) {
            chain.close();
        }
    }

    private static byte[] key(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void verifiesAParameterAndTheKeySetAgainstALightClientVerifiedHeader() throws Exception {
        proxy.mode(TamperingRpcProxy.Mode.NONE);
        VerifiedQueryClient.VerifiedValue param = client.query("/gov/param/tx.max_signers", key("gov/param/tx.max_signers"));
        assertThat(ParamRecord.parseFrom(param.value()).getValue()).isEqualTo(9);
        assertThat(param.header().height()).isEqualTo(param.height() + 1);
        VerifiedQueryClient.VerifiedValue keys = client.query("/store", key("gov/keys"));
        assertThat(GovernanceKeySet.parseFrom(keys.value()).getKeysCount()).isEqualTo(3);
    }

    @Test
    void verifiesAbsence() throws Exception {
        proxy.mode(TamperingRpcProxy.Mode.NONE);
        assertThat(client.query("/store", key("no/such/key")).value()).isNull();
    }

    @Test
    void rejectsATamperedValue() {
        proxy.mode(TamperingRpcProxy.Mode.VALUE);
        assertThatThrownBy(() -> client.query("/gov/param/tx.max_signers", key("gov/param/tx.max_signers")))
                .isInstanceOfSatisfying(LightClientException.class,
                        e -> assertThat(e.reason()).isIn(LightClientException.Reason.APP_HASH_MISMATCH, LightClientException.Reason.PROOF_INVALID));
    }

    @Test
    void rejectsATamperedStoreProof() {
        proxy.mode(TamperingRpcProxy.Mode.STORE_PROOF);
        assertThatThrownBy(() -> client.query("/gov/param/tx.max_signers", key("gov/param/tx.max_signers")))
                .isInstanceOfSatisfying(LightClientException.class,
                        e -> assertThat(e.reason()).isIn(LightClientException.Reason.APP_HASH_MISMATCH, LightClientException.Reason.PROOF_INVALID));
    }

    @Test
    void rejectsATamperedProof() {
        proxy.mode(TamperingRpcProxy.Mode.PROOF);
        assertThatThrownBy(() -> client.query("/gov/param/tx.max_signers", key("gov/param/tx.max_signers")))
                .isInstanceOfSatisfying(LightClientException.class,
                        e -> assertThat(e.reason()).isIn(LightClientException.Reason.APP_HASH_MISMATCH, LightClientException.Reason.PROOF_INVALID));
    }

    @Test
    void rejectsATamperedHeader() {
        proxy.mode(TamperingRpcProxy.Mode.HEADER_APP_HASH);
        assertThatThrownBy(() -> client.query("/gov/param/tx.max_signers", key("gov/param/tx.max_signers")))
                .isInstanceOfSatisfying(LightClientException.class,
                        e -> assertThat(e.reason()).isEqualTo(LightClientException.Reason.HEADER_HASH_MISMATCH));
    }
}
