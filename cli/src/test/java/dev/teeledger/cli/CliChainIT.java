package dev.teeledger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teeledger.protocol.sig.Ed25519KeyPair;
import dev.teeledger.testkit.cometbft.LocalChain;
import dev.teeledger.testkit.fixtures.GovernanceFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged CLI ({@code target/teeledger.jar}, run as its own process) against a real
 * CometBFT node and app: two governance members co-sign a parameter change offline, it is
 * submitted and then read back with a light-client-verified proof; a replay is refused with
 * the chain's code; a missing item is proven absent.
 */
class CliChainIT {
    private static final GovernanceFixture GOV = new GovernanceFixture(3, 2);
    private static LocalChain chain;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        chain = LocalChain.builder().chainId("cli-it").appState(GOV.appState(Map.of())).build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (chain != null) {
            chain.close();
        }
    }

    record Result(int code, String out, String err) {}

    static Result cli(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of("target", "teeledger.jar").toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("TEELEDGER_DEBUG", "1"); // a failure shows its stack trace in the assertion message
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("CLI hung: " + String.join(" ", args));
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    static Path keyFile(Ed25519KeyPair k, String name) throws IOException {
        Path f = tmp.resolve(name);
        String pub = Base64.getEncoder().encodeToString(k.publicKey().getKey().toByteArray());
        Files.writeString(f, "{\"type\":\"ed25519\",\"secret\":\"" + Base64.getEncoder().encodeToString(k.seed())
                + "\",\"public\":\"" + pub + "\"}", StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void coSignedParameterChangeIsSubmittedAndReadBackVerified() throws Exception {
        String rpc = chain.rpcUrl();
        String genesis = chain.cometHome().resolve("config/genesis.json").toString();
        Path k1 = keyFile(GOV.key(0), "k1.json");
        Path k2 = keyFile(GOV.key(1), "k2.json");
        Path proposal = tmp.resolve("cap.json");
        String pub1 = Base64.getEncoder().encodeToString(GOV.key(0).publicKey().getKey().toByteArray());
        String pub2 = Base64.getEncoder().encodeToString(GOV.key(1).publicKey().getKey().toByteArray());

        // No --nonce: the CLI reads the governance nonce from the chain.
        Result propose = cli("gov", "propose", "param", "--chain-id", chain.chainId(), "--rpc", rpc,
                "--signer", pub1, "--signer", pub2, "--set", "credit.cap=123456789", "--out", proposal.toString());
        assertThat(propose.code()).as(propose.err()).isZero();
        assertThat(propose.out()).contains("nonce 0");
        assertThat(cli("gov", "sign", proposal.toString(), "--key", k1.toString()).code()).isZero();
        assertThat(cli("gov", "sign", proposal.toString(), "--key", k2.toString()).code()).isZero();
        Result submit = cli("gov", "submit", proposal.toString(), "--rpc", rpc);
        assertThat(submit.code()).as(submit.err()).isZero();
        assertThat(submit.out()).contains("committed in block");

        Result show = cli("show", "param", "credit.cap", "--rpc", rpc, "--verified", "--genesis", genesis);
        assertThat(show.code()).as(show.err()).isZero();
        assertThat(show.out()).contains("\"value\": \"123456789\"");

        // The same signed proposal again: refused (CometBFT's cache, or the spent nonce).
        Result replay = cli("gov", "submit", proposal.toString(), "--rpc", rpc);
        assertThat(replay.code()).as(replay.err()).isEqualTo(CliException.REJECTED);
        // A new proposal that reuses the spent nonce: the chain's own code 11 (bad nonce).
        Path stale = tmp.resolve("stale.json");
        assertThat(cli("gov", "propose", "param", "--chain-id", chain.chainId(), "--nonce", "0", "--signer", pub1, "--signer", pub2,
                "--set", "credit.cap=222222222", "--out", stale.toString()).code()).isZero();
        cli("gov", "sign", stale.toString(), "--key", k1.toString());
        cli("gov", "sign", stale.toString(), "--key", k2.toString());
        Result staleNonce = cli("gov", "submit", stale.toString(), "--rpc", rpc);
        assertThat(staleNonce.code()).as(staleNonce.err()).isEqualTo(CliException.REJECTED);
        assertThat(staleNonce.err()).contains("code 11");

        // An HSM that never joined: proven absent.
        Result absent = cli("show", "hsm", "ab".repeat(32), "--rpc", rpc, "--verified", "--genesis", genesis);
        assertThat(absent.code()).as(absent.err()).isEqualTo(CliException.NOT_FOUND);
        Result balance = cli("show", "balance", "ab".repeat(32), "--rpc", rpc, "--verified", "--genesis", genesis);
        assertThat(balance.code()).as(balance.err()).isZero();
        assertThat(balance.out()).contains("\"balance\": 0");
    }
}
