package dev.teeledger.service.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.teeledger.chain.light.LightClientException;
import dev.teeledger.chain.rpc.ChainRpcException;
import org.junit.jupiter.api.Test;

/** Every service answers a failed chain read the same way: these are the shared rules. */
class ChainAnswersTest {

    @Test
    void answerPassesAValueThrough() {
        assertThat(ChainClients.answer(() -> 42)).isEqualTo(42);
    }

    @Test
    void anAnswerThatDoesNotVerifyIsA502NamingTheReason() {
        assertThatThrownBy(() -> ChainClients.answer(() -> {
            throw new LightClientException(LightClientException.Reason.CHAIN_ID_MISMATCH, "header of another chain");
        })).isInstanceOfSatisfying(ProblemException.class, p -> {
            assertThat(p.status()).isEqualTo(502);
            assertThat(p.type()).endsWith("verification-failed");
            assertThat(p.extensions()).containsEntry("reason", "CHAIN_ID_MISMATCH");
        });
    }

    @Test
    void anUnreachableNodeIsA503() {
        assertThatThrownBy(() -> ChainClients.answer(() -> {
            throw ChainRpcException.httpStatus("abci_query", 500, "");
        })).isInstanceOfSatisfying(ProblemException.class, p -> {
            assertThat(p.status()).isEqualTo(503);
            assertThat(p.type()).endsWith("chain-unavailable");
        });
    }

    @Test
    void aProvenRecordThatDoesNotParseIsA502() {
        assertThat(ChainClients.parseProven(() -> "ok")).isEqualTo("ok");
        assertThatThrownBy(() -> ChainClients.parseProven(() -> {
            throw new InvalidProtocolBufferException("truncated");
        })).isInstanceOfSatisfying(ProblemException.class, p -> {
            assertThat(p.status()).isEqualTo(502);
            assertThat(p.type()).endsWith("verification-failed");
        });
    }
}
