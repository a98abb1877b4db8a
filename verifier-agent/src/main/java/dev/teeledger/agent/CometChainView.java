package dev.teeledger.agent;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import dev.teeledger.chain.rpc.AbciQueryResult;
import dev.teeledger.chain.rpc.BroadcastResult;
import dev.teeledger.chain.rpc.ChainRpcException;
import dev.teeledger.chain.rpc.CometRpcClient;
import dev.teeledger.chain.rpc.IndexedTx;
import dev.teeledger.protocol.state.v1.AttestationRound;
import dev.teeledger.protocol.state.v1.CreditAccount;
import dev.teeledger.protocol.state.v1.CreditIndex;
import dev.teeledger.protocol.state.v1.FirmwareRecord;
import dev.teeledger.protocol.state.v1.HsmRecord;
import dev.teeledger.protocol.state.v1.LastAttestation;
import dev.teeledger.protocol.state.v1.ParamRecord;
import dev.teeledger.protocol.state.v1.ShareCheckpoint;
import dev.teeledger.protocol.state.v1.ShareHistory;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link ChainView} over a CometBFT node's RPC with {@code chain-client}'s {@link CometRpcClient}
 * (its connect and request timeouts bound every call). Absence is an empty value; an abci error
 * code, a transport failure or an unparsable value is a {@link ChainAccessException}.
 */
public final class CometChainView implements ChainView {
    private static final HexFormat HEX = HexFormat.of();
    /** Query code for a missing key ({@code docs/api.md}, 900–999). */
    private static final int NOT_FOUND = 902;

    private final CometRpcClient rpc;

    public CometChainView(CometRpcClient rpc) {
        this.rpc = Objects.requireNonNull(rpc, "rpc");
    }

    @Override
    public long height() throws ChainAccessException {
        try {
            return rpc.status().latestHeight();
        } catch (ChainRpcException e) {
            throw wrap("status", e);
        }
    }

    @Override
    public Optional<AttestationRound> round(long id) throws ChainAccessException {
        return query("/attestation/round/" + id, AttestationRound.parser());
    }

    @Override
    public Optional<HsmRecord> hsm(byte[] hsmId) throws ChainAccessException {
        return query("/hsm/" + HEX.formatHex(hsmId), HsmRecord.parser());
    }

    @Override
    public BigInteger sharesAt(byte[] hsmId, long height) throws ChainAccessException {
        String hex = HEX.formatHex(hsmId);
        Optional<ShareHistory> history = query("/credit/history/" + hex, ShareHistory.parser());
        if (history.isEmpty()) {
            return query("/credit/balance/" + hex, CreditAccount.parser())
                    .map(a -> new BigInteger(1, a.getShares().toByteArray())).orElse(BigInteger.ZERO);
        }
        BigInteger shares = new BigInteger(1, history.get().getBaseShares().toByteArray());
        for (ShareCheckpoint cp : history.get().getCheckpointsList()) {
            if (cp.getHeight() > height) {
                break;
            }
            shares = new BigInteger(1, cp.getShares().toByteArray());
        }
        return shares;
    }

    @Override
    public long balanceOf(BigInteger shares) throws ChainAccessException {
        CreditIndex index = query("/credit/index", CreditIndex.parser())
                .orElseThrow(() -> new ChainAccessException("no credit index on chain", false, null));
        BigInteger balance = shares.multiply(BigInteger.valueOf(index.getMantissa())).shiftRight(index.getExponent());
        return balance.bitLength() < 63 ? balance.longValue() : Long.MAX_VALUE;
    }

    @Override
    public long param(String name, long fallback) throws ChainAccessException {
        return query("/gov/param/" + name, ParamRecord.parser()).map(ParamRecord::getValue).orElse(fallback);
    }

    @Override
    public Optional<LastAttestation> lastAttestation(byte[] hsmId) throws ChainAccessException {
        return query("/attestation/last/" + HEX.formatHex(hsmId), LastAttestation.parser());
    }

    @Override
    public Optional<FirmwareRecord> firmware(byte[] sha256) throws ChainAccessException {
        return query("/firmware/" + HEX.formatHex(sha256), FirmwareRecord.parser());
    }

    @Override
    public Submission submit(byte[] tx) throws ChainAccessException {
        try {
            BroadcastResult r = rpc.broadcastTxSync(tx);
            return new Submission(r.code(), r.log(), r.hash());
        } catch (ChainRpcException e) {
            // CometBFT answers an RPC error for a transaction already in its cache: it was
            // submitted before (a retry after a lost answer), so track it by hash.
            if (e.kind() == ChainRpcException.Kind.RPC_ERROR && e.rpcData().orElse("").contains("already exists in cache")) {
                return new Submission(0, "already in the mempool cache", sha256(tx));
            }
            throw wrap("broadcast_tx_sync", e);
        }
    }

    @Override
    public Optional<Committed> committed(byte[] txHash) throws ChainAccessException {
        try {
            IndexedTx t = rpc.tx(txHash);
            return Optional.of(new Committed(t.height(), t.result().code(), t.result().log()));
        } catch (ChainRpcException e) {
            if (e.kind() == ChainRpcException.Kind.RPC_ERROR && e.rpcData().orElse("").contains("not found")) {
                return Optional.empty();
            }
            throw wrap("tx", e);
        }
    }

    private <T> Optional<T> query(String path, Parser<T> parser) throws ChainAccessException {
        AbciQueryResult r;
        try {
            r = rpc.abciQuery(path, new byte[0], 0, false);
        } catch (ChainRpcException e) {
            throw wrap(path, e);
        }
        if (r.code() == NOT_FOUND || (r.code() == 0 && r.value() == null)) {
            return Optional.empty();
        }
        if (r.code() != 0) {
            throw new ChainAccessException(path + ": query answered code " + r.code() + " " + r.log(), false, null);
        }
        try {
            return Optional.of(parser.parseFrom(r.value()));
        } catch (InvalidProtocolBufferException e) {
            throw new ChainAccessException(path + ": value does not parse", false, e);
        }
    }

    private static ChainAccessException wrap(String what, ChainRpcException e) {
        boolean retryable = e.kind() == ChainRpcException.Kind.TIMEOUT || e.kind() == ChainRpcException.Kind.CONNECTION_FAILED
                || e.kind() == ChainRpcException.Kind.HTTP_STATUS;
        return new ChainAccessException(what + ": " + e.getMessage(), retryable, e);
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JRE", e);
        }
    }
}
