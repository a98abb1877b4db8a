package dev.teeledger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teeledger.cli.keys.KeyFile;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.sig.Ed25519KeyPair;
import dev.teeledger.protocol.sig.VerifiedSignatureCache;
import dev.teeledger.protocol.tx.SignedTx;
import dev.teeledger.protocol.tx.TxCodec;
import dev.teeledger.protocol.tx.TxLimits;
import dev.teeledger.protocol.tx.TxSignatures;
import dev.teeledger.protocol.tx.v1.ParamChange;
import dev.teeledger.protocol.tx.v1.TxType;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Everything the CLI does without a chain: keys, proposals, co-signing, and its refusals. */
class CliOfflineTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        CommandLine cli = TeeLedgerCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static String pub(Path keyFile) {
        return Base64.getEncoder().encodeToString(KeyFile.read(keyFile).publicKey().getKey().toByteArray());
    }

    @Test
    void keysAreWrittenOwnerOnlyAndReadBack() throws Exception {
        Path ed = tmp.resolve("ed.json");
        Path p256 = tmp.resolve("p.json");
        assertThat(run("keys", "generate", "--out", ed.toString()).code()).isZero();
        assertThat(run("keys", "generate", "--type", "p256", "--out", p256.toString()).code()).isZero();
        assertThat(Files.getPosixFilePermissions(ed)).hasSize(2);
        assertThat(KeyFile.read(ed).type()).isEqualTo(KeyFile.Type.ED25519);
        assertThat(KeyFile.read(p256).publicKey().getKey().size()).isEqualTo(33);
        Run show = run("keys", "show", ed.toString());
        assertThat(show.out()).contains(pub(ed));
        Run again = run("keys", "generate", "--out", ed.toString());
        assertThat(again.code()).isEqualTo(CliException.BAD_INPUT);
        assertThat(again.err()).contains("refusing to overwrite");
    }

    @Test
    void opensslEd25519PemKeysAreRead() throws Exception {
        // RFC 8410 §10.3 example private key; its public key is in the same section.
        Path pem = tmp.resolve("k.pem");
        Files.writeString(pem, "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n-----END PRIVATE KEY-----\n");
        byte[] expected = Base64.getDecoder().decode("Gb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=");
        assertThat(KeyFile.read(pem).publicKey().getKey().toByteArray()).isEqualTo(expected);
    }

    @Test
    void aProposalCoSignedByTwoMembersIsAValidTransaction() throws Exception {
        Path k1 = tmp.resolve("k1.json");
        Path k2 = tmp.resolve("k2.json");
        Path outsider = tmp.resolve("k3.json");
        for (Path k : List.of(k1, k2, outsider)) {
            assertThat(run("keys", "generate", "--out", k.toString()).code()).isZero();
        }
        Path proposal = tmp.resolve("p.json");
        Run propose = run("gov", "propose", "param", "--chain-id", "c1", "--nonce", "7", "--signer", pub(k1), "--signer", pub(k2),
                "--set", "credit.cap=5000000", "--set", "attestation.window=20", "--out", proposal.toString());
        assertThat(propose.code()).as(propose.err()).isZero();
        assertThat(run("gov", "submit", proposal.toString(), "--rpc", "http://127.0.0.1:1").err()).contains("2 signature(s) missing");
        Run stranger = run("gov", "sign", proposal.toString(), "--key", outsider.toString());
        assertThat(stranger.code()).isEqualTo(CliException.BAD_INPUT);
        assertThat(stranger.err()).contains("not among the proposal's signers");
        assertThat(run("gov", "sign", proposal.toString(), "--key", k2.toString()).out()).contains("1 signature(s) missing");
        assertThat(run("gov", "sign", proposal.toString(), "--key", k1.toString()).out()).contains("0 signature(s) missing");
        assertThat(run("gov", "inspect", proposal.toString()).out()).contains("missing signatures: none").contains("nonce: 7");

        byte[] tx = dev.teeledger.cli.gov.Proposal.read(proposal).assemble();
        SignedTx signed = TxCodec.decode(tx, TxLimits.DEFAULT);
        TxSignatures.verifyAll(signed, "c1", new VerifiedSignatureCache(16));
        assertThat(signed.type()).isEqualTo(TxType.TX_TYPE_GOV_PARAM_CHANGE);
        assertThat(signed.nonce()).isEqualTo(7);
        assertThat(ParamChange.parseFrom(signed.payload()).getChangesCount()).isEqualTo(2);
        // Bound to its chain: the same bytes do not verify for another chain id.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TxSignatures.verifyAll(signed, "c2", new VerifiedSignatureCache(16)))
                .isInstanceOf(Rejection.class);
    }

    @Test
    void badInputGetsExitCodeTwoAndOneLine() throws Exception {
        Path k1 = tmp.resolve("k1.json");
        run("keys", "generate", "--out", k1.toString());
        Path garbage = tmp.resolve("garbage.json");
        Files.writeString(garbage, "{not json", StandardCharsets.UTF_8);
        Path wrongPublic = tmp.resolve("wrong.json");
        Files.writeString(wrongPublic, Files.readString(k1).replace(pub(k1),
                Base64.getEncoder().encodeToString(Ed25519KeyPair.generate(new SecureRandom()).publicKey().getKey().toByteArray())));
        String out = tmp.resolve("p.json").toString();
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {"keys", "generate", "--type", "rsa", "--out", tmp.resolve("x").toString()});
        cases.add(new String[] {"keys", "show", garbage.toString()});
        cases.add(new String[] {"keys", "show", wrongPublic.toString()});
        cases.add(new String[] {"keys", "show", tmp.resolve("missing.json").toString()});
        cases.add(new String[] {"gov", "propose", "param", "--chain-id", "c", "--nonce", "0", "--signer", "***", "--set", "a=b", "--out", out});
        cases.add(new String[] {"gov", "propose", "param", "--chain-id", "c", "--nonce", "0", "--signer", "AAAA", "--set", "a=b", "--out", out});
        cases.add(new String[] {"gov", "propose", "param", "--chain-id", "c", "--nonce", "0", "--signer", pub(k1), "--set", "novalue", "--out", out});
        cases.add(new String[] {"gov", "propose", "hsm-revoke", "--chain-id", "c", "--nonce", "0", "--signer", pub(k1), "--id", "zz", "--reason", "r", "--out", out});
        cases.add(new String[] {"gov", "propose", "manufacturer-add", "--chain-id", "c", "--nonce", "0", "--signer", pub(k1), "--name", "n",
                "--root", tmp.resolve("no-such.der").toString(), "--out", out});
        cases.add(new String[] {"gov", "propose", "reporter-authorize", "--chain-id", "c", "--nonce", "0", "--signer", pub(k1), "--key", "AAAA", "--out", out});
        cases.add(new String[] {"gov", "sign", garbage.toString(), "--key", k1.toString()});
        cases.add(new String[] {"show", "hsm", "not-hex"});
        cases.add(new String[] {"show", "round", "0"});
        for (String[] args : cases) {
            Run r = run(args);
            assertThat(r.code()).as(String.join(" ", args) + " -> " + r.err()).isEqualTo(CliException.BAD_INPUT);
            assertThat(r.err().strip().lines().count()).as("one line: " + r.err()).isEqualTo(1);
            assertThat(r.err()).doesNotContain("Exception", "\tat ");
        }
        // Usage errors are picocli's (exit 2 with usage text), never a stack trace.
        Run usage = run("gov", "propose", "param", "--chain-id", "c");
        assertThat(usage.code()).isEqualTo(2);
        assertThat(usage.err()).contains("Missing required option");
    }

    @Test
    void anUnreachableNodeIsExitCodeFour() {
        Run r = run("show", "hsm", "00".repeat(32), "--rpc", "http://127.0.0.1:1");
        assertThat(r.code()).as(r.err()).isEqualTo(CliException.CHAIN);
    }

    @Test
    void oneSignCallWithTwoKeysCompletesAProposal() throws Exception {
        Path k1 = tmp.resolve("k1.json");
        Path k2 = tmp.resolve("k2.json");
        run("keys", "generate", "--out", k1.toString());
        run("keys", "generate", "--out", k2.toString());
        Path proposal = tmp.resolve("p.json");
        assertThat(run("gov", "propose", "bootstrap", "--chain-id", "c1", "--nonce", "3", "--signer", pub(k1), "--signer", pub(k2),
                "--id", "ab".repeat(32), "--reason", "first verifier", "--out", proposal.toString()).code()).isZero();
        Run sign = run("gov", "sign", proposal.toString(), "--key", k1.toString(), "--key", k2.toString());
        assertThat(sign.code()).as(sign.err()).isZero();
        assertThat(sign.out()).contains("0 signature(s) missing");
        SignedTx signed = TxCodec.decode(dev.teeledger.cli.gov.Proposal.read(proposal).assemble(), TxLimits.DEFAULT);
        TxSignatures.verifyAll(signed, "c1", new VerifiedSignatureCache(16));
        assertThat(signed.type()).isEqualTo(TxType.TX_TYPE_ATTESTATION_BOOTSTRAP);
    }

    @Test
    void submitOfSeveralFilesSendsNothingWhenOneIsBad() throws Exception {
        Path k1 = tmp.resolve("k1.json");
        run("keys", "generate", "--out", k1.toString());
        Path good = tmp.resolve("good.json");
        run("gov", "propose", "param", "--chain-id", "c1", "--nonce", "0", "--signer", pub(k1), "--set", "credit.cap=5000000",
                "--out", good.toString());
        run("gov", "sign", good.toString(), "--key", k1.toString());
        Path garbage = tmp.resolve("garbage.json");
        Files.writeString(garbage, "{not json", StandardCharsets.UTF_8);
        // The node's port is closed: a broadcast attempt would be exit 4, a refusal before any is exit 2.
        Run r = run("gov", "submit", "--rpc", "http://127.0.0.1:1", good.toString(), garbage.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(CliException.BAD_INPUT);
        Run one = run("gov", "submit", "--rpc", "http://127.0.0.1:1", good.toString());
        assertThat(one.code()).as(one.err()).isEqualTo(CliException.CHAIN);
    }

    @Test
    void hsmJoinRefusesABadSidecarUrlAndReportsAnUnreachableSidecar() {
        Run bad = run("hsm", "join", "--sidecar", "ftp://127.0.0.1:1", "--chain-id", "c1", "--rpc", "http://127.0.0.1:1");
        assertThat(bad.code()).as(bad.err()).isEqualTo(CliException.BAD_INPUT);
        assertThat(bad.err()).contains("--sidecar must be an http(s) URL");
        Run down = run("hsm", "join", "--sidecar", "http://127.0.0.1:1", "--chain-id", "c1", "--rpc", "http://127.0.0.1:1");
        assertThat(down.code()).as(down.err()).isEqualTo(CliException.CHAIN);
        assertThat(down.err()).contains("sidecar http://127.0.0.1:1").doesNotContain("\tat ");
    }
}
