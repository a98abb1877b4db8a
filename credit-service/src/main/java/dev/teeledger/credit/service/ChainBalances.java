package dev.teeledger.credit.service;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.teeledger.chain.light.VerifiedQueryClient.VerifiedValue;
import dev.teeledger.chain.light.VerifiedQueryClient;
import dev.teeledger.chain.rpc.AbciQueryResult;
import dev.teeledger.chain.rpc.ChainRpcException;
import dev.teeledger.credit.service.Views.Balance;
import dev.teeledger.protocol.state.v1.CreditAccount;
import dev.teeledger.protocol.state.v1.CreditIndex;
import dev.teeledger.service.common.ChainClients;
import dev.teeledger.service.common.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * An HSM's balance straight from the chain, called by {@link CreditResource}: the account's
 * shares ({@code credit/acct/<id>}) times the global index ({@code credit/index}),
 * {@code shares × mantissa >> exponent} (docs/credits.md). An HSM without an account has
 * balance 0.
 *
 * <p>Shares and index must be of the same state. The index changes only at normalization,
 * which stamps {@code updated_height}; the verified read queries the account at h1, then the
 * index at h2 ≥ h1, and accepts the pair when the index's {@code updated_height ≤ h1} (then it
 * is also the index at h1), asking again otherwise. The unverified read simply asks for both at
 * the account answer's height. A light-client failure is a 502 problem, an unreachable node 503,
 * no configured genesis file 503.
 */
@ApplicationScoped
public class ChainBalances {
    private static final int ATTEMPTS = 5;
    /** The app's query code for an absent key (docs/api.md, "Result codes"). */
    static final int NOT_FOUND = 902;
    private final ChainClients chain;

    public ChainBalances(ChainClients chain) {
        this.chain = chain;
    }

    /** The balance proven against the pinned validator set. */
    public Balance verified(String hsmId) {
        VerifiedQueryClient client = chain.requireVerified();
        return ChainClients.answer(() -> {
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                VerifiedValue acct = client.query("/credit/balance/" + hsmId, utf8("credit/acct/" + hsmId));
                VerifiedValue idx = client.query("/credit/index", utf8("credit/index"));
                CreditIndex index = parseIndex(idx.valueIfPresent().orElse(null));
                if (index.getUpdatedHeight() > acct.height()) {
                    continue; // a normalization between the two answers: ask again
                }
                return balance(hsmId, acct.valueIfPresent().orElse(null), index, acct.height(), "chain-verified");
            }
            throw new ProblemException(503, "chain-unavailable", "Service unavailable",
                    "the credit index kept changing between the account and index answers");
        });
    }

    /** The balance as the node reports it, without proofs. */
    public Balance unverified(String hsmId) {
        try {
            AbciQueryResult acct = check(chain.rpc().abciQuery("/credit/balance/" + hsmId, utf8("credit/acct/" + hsmId), 0, false));
            AbciQueryResult idx = check(chain.rpc().abciQuery("/credit/index", utf8("credit/index"), acct.height(), false));
            return balance(hsmId, acct.valueIfPresent().orElse(null), parseIndex(idx.valueIfPresent().orElse(null)),
                    acct.height(), "chain");
        } catch (ChainRpcException e) {
            throw new ProblemException(503, "chain-unavailable", "Service unavailable", "chain node: " + e.getMessage());
        }
    }

    private static AbciQueryResult check(AbciQueryResult r) {
        // 902 (not found) is an answer: an HSM without an account (balance 0).
        if (r.code() != 0 && r.code() != NOT_FOUND) {
            throw new ProblemException(502, "chain-query-failed", "Bad gateway",
                    "the node refused the query (code " + r.code() + "): " + r.log());
        }
        return r;
    }

    private static Balance balance(String hsmId, byte[] account, CreditIndex index, long height, String source) {
        try {
            BigInteger shares = account == null ? BigInteger.ZERO
                    : new BigInteger(1, CreditAccount.parseFrom(account).getShares().toByteArray());
            BigInteger value = shares.multiply(BigInteger.valueOf(index.getMantissa())).shiftRight(index.getExponent());
            if (value.bitLength() > 63) {
                throw new ProblemException(502, "chain-query-failed", "Bad gateway", "balance does not fit 63 bits: " + value);
            }
            return new Balance(hsmId, value.longValue(), shares.toString(), height, source);
        } catch (InvalidProtocolBufferException e) {
            throw new ProblemException(502, "chain-query-failed", "Bad gateway", "credit account does not parse: " + e.getMessage());
        }
    }

    private static CreditIndex parseIndex(byte[] raw) {
        if (raw == null) {
            throw new ProblemException(502, "chain-query-failed", "Bad gateway", "the chain has no credit index");
        }
        try {
            return CreditIndex.parseFrom(raw);
        } catch (InvalidProtocolBufferException e) {
            throw new ProblemException(502, "chain-query-failed", "Bad gateway", "credit index does not parse: " + e.getMessage());
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
