package dev.teeledger.credit.service;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.teeledger.chain.light.VerifiedQueryClient;
import dev.teeledger.chain.rpc.AbciQueryResult;
import dev.teeledger.chain.rpc.ChainRpcException;
import dev.teeledger.credit.service.Views.Supply;
import dev.teeledger.protocol.gov.Param;
import dev.teeledger.protocol.state.v1.CreditSupply;
import dev.teeledger.protocol.state.v1.ParamRecord;
import dev.teeledger.service.common.ChainClients;
import dev.teeledger.service.common.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * The credit supply straight from the chain, called by {@link CreditResource} and
 * {@link CreditGrpcService}: {@code credit/supply} (total shares, total, funded accounts), the
 * cap ({@code gov/param/credit.cap}) and the trigger ({@code
 * gov/param/credit.normalization_trigger_bps}), all three at one height — the supply answer's —
 * so they describe one state. A parameter never written since genesis answers with its
 * protocol default ({@link Param#defaultValue()}). Verified reads prove each answer with the
 * light client (502 if one fails to verify, 503 without a genesis file or node).
 */
@ApplicationScoped
public class ChainSupply {
    private final ChainClients chain;

    public ChainSupply(ChainClients chain) {
        this.chain = chain;
    }

    /** The supply proven against the pinned validator set. */
    public Supply verified() {
        VerifiedQueryClient client = chain.requireVerified();
        return ChainClients.answer(() -> {
            VerifiedQueryClient.VerifiedValue supply = client.query("/credit/supply", utf8("credit/supply"));
            long h = supply.height();
            long cap = param(Param.CREDIT_CAP, client.query("/credit/cap", key(Param.CREDIT_CAP), h).valueIfPresent().orElse(null));
            long bps = param(Param.CREDIT_NORMALIZATION_TRIGGER_BPS, client.query("/gov/param/" + Param.CREDIT_NORMALIZATION_TRIGGER_BPS.id(),
                    key(Param.CREDIT_NORMALIZATION_TRIGGER_BPS), h).valueIfPresent().orElse(null));
            return supply(supply.valueIfPresent().orElse(null), cap, bps, h, "chain-verified");
        });
    }

    /** The supply as the node reports it, without proofs. */
    public Supply unverified() {
        try {
            AbciQueryResult supply = check(chain.rpc().abciQuery("/credit/supply", utf8("credit/supply"), 0, false));
            long h = supply.height();
            long cap = param(Param.CREDIT_CAP, check(chain.rpc().abciQuery("/credit/cap", key(Param.CREDIT_CAP), h, false))
                    .valueIfPresent().orElse(null));
            long bps = param(Param.CREDIT_NORMALIZATION_TRIGGER_BPS, check(chain.rpc().abciQuery("/gov/param/"
                    + Param.CREDIT_NORMALIZATION_TRIGGER_BPS.id(), key(Param.CREDIT_NORMALIZATION_TRIGGER_BPS), h, false))
                    .valueIfPresent().orElse(null));
            return supply(supply.valueIfPresent().orElse(null), cap, bps, h, "chain");
        } catch (ChainRpcException e) {
            throw new ProblemException(503, "chain-unavailable", "Service unavailable", "chain node: " + e.getMessage());
        }
    }

    private static Supply supply(byte[] raw, long cap, long bps, long height, String source) {
        try {
            CreditSupply s = raw == null ? CreditSupply.getDefaultInstance() : CreditSupply.parseFrom(raw);
            BigInteger shares = new BigInteger(1, s.getTotalShares().toByteArray());
            long trigger = BigInteger.valueOf(cap).multiply(BigInteger.valueOf(bps)).divide(BigInteger.valueOf(10_000)).longValue();
            return new Supply(s.getTotal(), shares.toString(), s.getAccounts(), cap, bps, trigger, height, source);
        } catch (InvalidProtocolBufferException e) {
            throw new ProblemException(502, "chain-query-failed", "Bad gateway", "credit supply does not parse: " + e.getMessage());
        }
    }

    private static long param(Param p, byte[] raw) {
        if (raw == null) {
            return p.defaultValue();
        }
        try {
            return ParamRecord.parseFrom(raw).getValue();
        } catch (InvalidProtocolBufferException e) {
            throw new ProblemException(502, "chain-query-failed", "Bad gateway", p.id() + " does not parse: " + e.getMessage());
        }
    }

    private static AbciQueryResult check(AbciQueryResult r) {
        // 902 (not found) is an answer: the value is absent.
        if (r.code() != 0 && r.code() != 902) {
            throw new ProblemException(502, "chain-query-failed", "Bad gateway",
                    "the node refused the query (code " + r.code() + "): " + r.log());
        }
        return r;
    }

    private static byte[] key(Param p) {
        return utf8("gov/param/" + p.id());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
