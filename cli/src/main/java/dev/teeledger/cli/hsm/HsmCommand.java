package dev.teeledger.cli.hsm;

import com.google.protobuf.ByteString;
import dev.teeledger.agent.HttpSidecarClient;
import dev.teeledger.agent.SidecarClient;
import dev.teeledger.agent.SidecarException;
import dev.teeledger.agent.SidecarSigner;
import dev.teeledger.chain.rpc.ChainRpcException;
import dev.teeledger.chain.rpc.TxCommitResult;
import dev.teeledger.cli.ChainOptions;
import dev.teeledger.cli.CliException;
import dev.teeledger.protocol.tx.TxBuilder;
import dev.teeledger.protocol.tx.v1.HsmJoin;
import dev.teeledger.protocol.tx.v1.TxType;
import java.net.URI;
import java.time.Duration;
import java.util.HexFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code teeledger hsm join --sidecar <url>}: an HSM joins the chain with the evidence its own
 * tpm-sidecar gives ({@code GetIdentity}: EK certificate and intermediates, AK, TPM2_Certify of the
 * node key, VRF key binding, advertised endpoint); the transaction is signed by the node key
 * through the sidecar's Sign call ({@code SidecarSigner}), so no private key leaves the TPM. The
 * chain verifies the evidence at block time ({@code docs/registry.md}); this command only shapes it.
 */
@Command(name = "hsm", mixinStandardHelpOptions = true, description = "HSM operations through the node's tpm-sidecar.", subcommands = {HsmCommand.Join.class, HsmCommand.Id.class})
public final class HsmCommand {

    @Command(name = "join", description = "Build an HsmJoin from the sidecar's identity, sign it with the node key and submit it.")
    static final class Join implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        ChainOptions chain;

        @Option(names = "--sidecar", required = true, description = "base URL of the HSM's tpm-sidecar REST API, e.g. http://127.0.0.1:8090")
        URI sidecar;

        @Option(names = "--chain-id", required = true, description = "chain the join is for; must equal the sidecar's chain id")
        String chainId;

        @Option(names = "--timeout", defaultValue = "PT35S", description = "sidecar request timeout (ISO-8601, default ${DEFAULT-VALUE})")
        Duration timeout;

        @Override
        public void run() {
            if (sidecar.getScheme() == null || !sidecar.getScheme().startsWith("http") || sidecar.getHost() == null) {
                throw new CliException(CliException.BAD_INPUT, "--sidecar must be an http(s) URL: " + sidecar);
            }
            HttpSidecarClient client = new HttpSidecarClient(sidecar, Duration.ofSeconds(2), timeout);
            SidecarClient.Identity id;
            byte[] tx;
            try {
                id = client.identity();
                if (!chainId.equals(id.chainId())) {
                    throw new CliException(CliException.BAD_INPUT, "the sidecar is bound to chain '" + id.chainId()
                            + "', not '" + chainId + "'");
                }
                HsmJoin.Builder join = HsmJoin.newBuilder()
                        .setEkCertificate(ByteString.copyFrom(id.ekCertificate()))
                        .setEkPublic(ByteString.copyFrom(id.ekPublic()))
                        .setAkPublic(ByteString.copyFrom(id.akPublic()))
                        .setNodeKeyPublic(ByteString.copyFrom(id.nodeKeyPublic()))
                        .setCertifyAttest(ByteString.copyFrom(id.certifyAttest()))
                        .setCertifySignature(ByteString.copyFrom(id.certifySignature()))
                        .setVrfPublicKey(ByteString.copyFrom(id.vrfPublicKey()))
                        .setVrfKeySignature(ByteString.copyFrom(id.vrfKeySignature()))
                        .setSidecarEndpoint(id.sidecarEndpoint());
                id.intermediates().forEach(c -> join.addIntermediates(ByteString.copyFrom(c)));
                tx = TxBuilder.forChain(chainId).type(TxType.TX_TYPE_HSM_JOIN).payload(join.build()).nonce(0)
                        .signer(SidecarSigner.forIdentity(client, id)).build();
            } catch (SidecarException e) {
                throw new CliException(CliException.CHAIN, "sidecar " + sidecar + ": " + e.getMessage(), e);
            }
            String hsm = HexFormat.of().formatHex(id.hsmId());
            TxCommitResult r;
            try {
                r = chain.rpc().broadcastTxCommit(tx);
            } catch (ChainRpcException e) {
                if (String.valueOf(e.getMessage()).contains("tx already exists in cache")) {
                    throw new CliException(CliException.REJECTED, "this exact join was already submitted", e);
                }
                throw new CliException(CliException.CHAIN, "cannot broadcast: " + e.getMessage(), e);
            }
            if (r.checkTx().code() != 0) {
                throw new CliException(CliException.REJECTED, "join of HSM " + hsm + " rejected by CheckTx, code "
                        + r.checkTx().code() + ": " + r.checkTx().log());
            }
            if (r.txResult().code() != 0) {
                throw new CliException(CliException.REJECTED, "join of HSM " + hsm + " rejected in block " + r.height()
                        + ", code " + r.txResult().code() + ": " + r.txResult().log());
            }
            spec.commandLine().getOut().printf("hsm %s joined in block %d, tx %s%n", hsm, r.height(),
                    HexFormat.of().formatHex(r.hash()).toUpperCase());
        }
    }

    @Command(name = "id", description = "Print the HSM id (hex) the sidecar's TPM identity hashes to.")
    static final class Id implements Runnable {
        @Spec
        CommandSpec spec;

        @Option(names = "--sidecar", required = true, description = "base URL of the tpm-sidecar")
        URI sidecar;

        @Override
        public void run() {
            try {
                spec.commandLine().getOut().println(HexFormat.of().formatHex(
                        new HttpSidecarClient(sidecar, Duration.ofSeconds(2), Duration.ofSeconds(35)).identity().hsmId()));
            } catch (SidecarException e) {
                throw new CliException(CliException.CHAIN, "sidecar " + sidecar + ": " + e.getMessage(), e);
            }
        }
    }
}
