package dev.teeledger.cli.gov;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.teeledger.chain.rpc.ChainRpcException;
import dev.teeledger.chain.rpc.TxCommitResult;
import dev.teeledger.cli.ChainOptions;
import dev.teeledger.cli.CliException;
import dev.teeledger.cli.keys.KeyFile;
import dev.teeledger.protocol.state.v1.AccountNonce;
import dev.teeledger.protocol.tx.v1.KeyType;
import dev.teeledger.protocol.tx.v1.PublicKey;
import dev.teeledger.protocol.tx.v1.TxBody;
import dev.teeledger.protocol.tx.v1.TxType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code teeledger gov propose|sign|submit|inspect}: k-of-n governance without ever putting
 * two private keys on one machine. A proposer fixes the body (type, payload, nonce, the
 * listed signers); members sign the file in turn; anyone submits it.
 */
@Command(name = "gov", description = "Propose, co-sign and submit governance transactions.",
        subcommands = {GovCommand.Propose.class, GovCommand.Sign.class, GovCommand.Submit.class, GovCommand.Inspect.class})
public final class GovCommand {

    @Command(name = "propose", description = "Write an unsigned governance proposal.",
            subcommands = {Proposals.Param.class, Proposals.RotateKeys.class, Proposals.ManufacturerAdd.class,
                    Proposals.ManufacturerRevoke.class, Proposals.FirmwareApprove.class, Proposals.FirmwareRetire.class,
                    Proposals.HsmRevoke.class, Proposals.AttestationRequest.class, Proposals.Bootstrap.class,
                    Proposals.ReporterAuthorize.class, Proposals.ReporterRevoke.class})
    static final class Propose {
    }

    /** Options every proposal takes, and the writing of the file. */
    abstract static class ProposeBase implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        ChainOptions chain;

        @Option(names = "--chain-id", required = true, description = "chain the signatures are bound to")
        String chainId;

        @Option(names = "--nonce", description = "governance nonce; read from the chain (--rpc) when omitted")
        Long nonce;

        @Option(names = "--signer", required = true, description = "base64 Ed25519 public key of a member who will sign (repeat; at least the threshold)")
        List<String> signers;

        @Option(names = "--memo", defaultValue = "", description = "free text, at most 256 bytes")
        String memo;

        @Option(names = "--out", required = true, description = "proposal file to write")
        Path out;

        abstract TxType type();

        abstract Message payload();

        abstract String summary();

        @Override
        public void run() {
            long n = nonce != null ? nonce : chain.read("/gov/nonce", "gov/nonce")
                    .map(GovCommand::nextNonce).orElse(0L);
            TxBody.Builder body = TxBody.newBuilder().setType(type()).setPayload(payload().toByteString()).setNonce(n).setMemo(memo);
            for (String s : signers) {
                body.addSigners(ed25519(s));
            }
            Proposal proposal = new Proposal(chainId, summary(), body.build().toByteArray());
            proposal.write(out);
            spec.commandLine().getOut().printf("wrote %s: %s, nonce %d, %d signer(s)%n", out, summary(), n, signers.size());
        }
    }

    @Command(name = "sign", description = "Add this key's signature to a proposal file (in place).")
    static final class Sign implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", description = "proposal file")
        Path file;

        @Option(names = "--key", required = true, description = "key file (JSON from `keys generate`, or an Ed25519 PKCS#8 PEM); "
                + "repeat to sign with several keys held on this machine (a devnet)")
        List<Path> keys;

        @Override
        public void run() {
            Proposal p = Proposal.read(file);
            for (Path key : keys) {
                p.sign(KeyFile.read(key).signer());
            }
            p.write(file);
            spec.commandLine().getOut().printf("signed %s; %d signature(s) missing%n", file, p.missing().size());
        }
    }

    @Command(name = "submit", description = "Broadcast fully signed proposals, in the order given, each waiting for its block.")
    static final class Submit implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        ChainOptions chain;

        @Parameters(arity = "1..*", description = "proposal files (several: submitted in this order, e.g. consecutive nonces)")
        List<Path> files;

        @Override
        public void run() {
            // All files are read and assembled first, so a bad file submits nothing.
            List<byte[]> txs = new ArrayList<>();
            for (Path file : files) {
                txs.add(Proposal.read(file).assemble());
            }
            for (int i = 0; i < txs.size(); i++) {
                String which = files.size() > 1 ? files.get(i) + ": " : "";
                TxCommitResult r;
                try {
                    r = chain.rpc().broadcastTxCommit(txs.get(i));
                } catch (ChainRpcException e) {
                    if (String.valueOf(e.getMessage()).contains("tx already exists in cache")) {
                        // CometBFT's mempool cache answers an identical transaction with an RPC error.
                        throw new CliException(CliException.REJECTED, which + "this exact transaction was already submitted", e);
                    }
                    throw new CliException(CliException.CHAIN, which + "cannot broadcast: " + e.getMessage(), e);
                }
                String hash = HexFormat.of().formatHex(r.hash()).toUpperCase();
                if (r.checkTx().code() != 0) {
                    throw new CliException(CliException.REJECTED, which + "rejected by CheckTx, code " + r.checkTx().code() + ": " + r.checkTx().log());
                }
                if (r.txResult().code() != 0) {
                    throw new CliException(CliException.REJECTED, which + "rejected in block " + r.height() + ", code " + r.txResult().code()
                            + ": " + r.txResult().log());
                }
                spec.commandLine().getOut().printf("%scommitted in block %d, tx %s%n", which, r.height(), hash);
            }
        }
    }

    @Command(name = "inspect", description = "Show what a proposal does and who still has to sign.")
    static final class Inspect implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", description = "proposal file")
        Path file;

        @Override
        public void run() {
            Proposal p = Proposal.read(file);
            var out = spec.commandLine().getOut();
            out.printf("chain: %s%ntype: %s%nnonce: %d%nsummary: %s%n", p.chainId(), p.body().getType(), p.body().getNonce(), p.summary());
            List<String> missing = new ArrayList<>();
            p.missing().forEach(k -> missing.add(Base64.getEncoder().encodeToString(k.getKey().toByteArray())));
            out.printf("missing signatures: %s%n", missing.isEmpty() ? "none" : String.join(", ", missing));
        }
    }

    static long nextNonce(byte[] raw) {
        try {
            return AccountNonce.parseFrom(raw).getNext();
        } catch (InvalidProtocolBufferException e) {
            throw new CliException(CliException.CHAIN, "the chain's governance nonce does not decode", e);
        }
    }

    static PublicKey ed25519(String base64) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new CliException(CliException.BAD_INPUT, "not base64: " + base64);
        }
        if (raw.length != 32) {
            throw new CliException(CliException.BAD_INPUT, "an Ed25519 public key is 32 bytes, got " + raw.length);
        }
        return PublicKey.newBuilder().setType(KeyType.KEY_TYPE_ED25519).setKey(ByteString.copyFrom(raw)).build();
    }

    static String json(Message m) {
        try {
            return JsonFormat.printer().print(m);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }
}
