package dev.teeledger.testkit.swtpm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Real software TPMs for tests: a private {@code swtpm_localca} CA standing in for a TPM
 * manufacturer root, N TPM 2.0 state directories provisioned with EK certificates by
 * {@code swtpm_setup}, one {@code swtpm socket} per TPM on free loopback ports (data P, control
 * P+1), and the evidence a joining node would present, gathered with tpm2-tools over the
 * {@code swtpm} TCTI: EK certificate and public area, an AK created under the EK (endorsement
 * hierarchy, so quotes carry unobfuscated clock data) and made persistent, an ECC P-256 node key
 * made persistent, and TPM2_Certify of the node key by the AK.
 *
 * <p>Without a resource manager a TPM holds only three transient objects, so every step ends
 * with {@code tpm2_flushcontext -t} and keys live at persistent handles. Each swtpm is a child
 * process whose PID is recorded; {@link #close()} ends each one (and a shutdown hook does so if
 * a test JVM exits without closing) and deletes the work directory. Not thread-safe: one test
 * class owns one fixture. Needs Debian's swtpm, swtpm-tools and tpm2-tools
 * ({@code scripts/install-deps.sh}).
 */
public final class SwtpmFixture implements AutoCloseable {

    /** Persistent handle of the RSA-2048 EK that swtpm_setup creates. */
    public static final String EK_HANDLE = "0x81010001";
    /** NV index of the RSA-2048 EK certificate. */
    public static final String EK_CERT_NV_INDEX = "0x01c00002";
    /** Persistent handle where the fixture keeps the AK. */
    public static final String AK_HANDLE = "0x81010002";
    /** Persistent handle where the fixture keeps the node key. */
    public static final String NODE_KEY_HANDLE = "0x81000010";

    private static final long TOOL_TIMEOUT_SECONDS = 60;
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    /** Algorithm of a TPM's AK. */
    public enum AkAlgorithm {
        /** RSA-2048, RSASSA-PKCS1-v1_5 with SHA-256. */
        RSA("rsa", "rsassa"),
        /** ECC NIST P-256, ECDSA with SHA-256. */
        ECC("ecc", "ecdsa");

        final String keyAlg;
        final String scheme;

        AkAlgorithm(String keyAlg, String scheme) {
            this.keyAlg = keyAlg;
            this.scheme = scheme;
        }
    }

    private final Path work;
    private final Path caDir;
    private final List<Process> processes = new ArrayList<>();
    private final List<ProvisionedTpm> tpms = new ArrayList<>();
    private final Thread shutdownHook;
    private byte[] rootDer;
    private byte[] intermediateDer;
    private int quotes;
    private boolean closed;

    private SwtpmFixture(Path work) {
        this.work = work;
        this.caDir = work.resolve("ca");
        this.shutdownHook = new Thread(this::killAll, "swtpm-fixture-shutdown");
    }

    /**
     * Provisions and starts one TPM per entry of {@code aks} (about 1 s each; the first also
     * creates the CA). On any failure everything started so far is stopped before the exception
     * propagates.
     */
    public static SwtpmFixture start(AkAlgorithm... aks) {
        Path work;
        try {
            work = Files.createTempDirectory("swtpm-fixture-" + INSTANCES.incrementAndGet() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SwtpmFixture fixture = new SwtpmFixture(work);
        Runtime.getRuntime().addShutdownHook(fixture.shutdownHook);
        try {
            fixture.writeCaConfig();
            for (AkAlgorithm ak : aks) {
                fixture.tpms.add(fixture.provision(fixture.tpms.size(), ak));
            }
            return fixture;
        } catch (RuntimeException | Error e) {
            fixture.close();
            throw e;
        }
    }

    /** The provisioned TPMs, in the order requested. */
    public List<ProvisionedTpm> tpms() {
        return List.copyOf(tpms);
    }

    /** The i-th TPM. */
    public ProvisionedTpm tpm(int i) {
        return tpms.get(i);
    }

    /** DER of the swtpm_localca root certificate (self-signed RSA-3072 {@code CN=swtpm-localca-rootca}). */
    public byte[] rootCertificate() {
        return rootDer.clone();
    }

    /** DER of the swtpm_localca intermediate ({@code CN=swtpm-localca}) that signs EK certificates. */
    public byte[] intermediateCertificate() {
        return intermediateDer.clone();
    }

    /** PIDs of the swtpm processes this fixture started. */
    public List<Long> pids() {
        return processes.stream().map(Process::pid).toList();
    }

    /** The fixture's temporary directory (deleted on close). */
    public Path workDir() {
        return work;
    }

    /**
     * Runs {@code tpm2_quote} with the persistent AK of {@code tpm}.
     *
     * @param nonce     qualifying data (at most 64 bytes), echoed as TPMS_ATTEST.extraData
     * @param selection PCR selection in tpm2-tools syntax, e.g. {@code sha256:0,1,2,3,7}
     */
    public synchronized TpmQuote quote(ProvisionedTpm tpm, byte[] nonce, String selection) {
        Path dir = tpm.dir().resolve("quote-" + (++quotes));
        mkdirs(dir);
        tool(tpm, dir, "tpm2_quote", "-c", AK_HANDLE, "-l", selection, "-q", HexFormat.of().formatHex(nonce),
                "-m", "quote.msg", "-s", "quote.sig", "-o", "quote.pcrs", "-g", "sha256");
        tool(tpm, dir, "tpm2_flushcontext", "-t");
        return new TpmQuote(read(dir.resolve("quote.msg")), read(dir.resolve("quote.sig")),
                read(dir.resolve("quote.pcrs")), nonce.clone(), selection);
    }

    /**
     * Asks {@code tpm2_checkquote} (tpm2-tools' own verifier, no TPM involved) whether
     * {@code quote} with the given bytes is valid for {@code tpm}'s AK and {@code nonce}.
     */
    public synchronized boolean checkQuote(ProvisionedTpm tpm, byte[] attest, byte[] signature, byte[] pcrs,
            byte[] nonce) {
        Path dir = tpm.dir().resolve("check-" + (++quotes));
        mkdirs(dir);
        write(dir.resolve("q.msg"), attest);
        write(dir.resolve("q.sig"), signature);
        write(dir.resolve("q.pcrs"), pcrs);
        int rc = exec(dir, Map.of(), List.of("tpm2_checkquote", "-u", tpm.akPublicFile().toString(), "-m", "q.msg",
                "-s", "q.sig", "-f", "q.pcrs", "-g", "sha256", "-q", HexFormat.of().formatHex(nonce)), "checkquote");
        return rc == 0;
    }

    /** Stops every swtpm this fixture started and deletes its work directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or has run: nothing to remove.
        }
        deleteTree(work);
    }

    private void killAll() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private void writeCaConfig() {
        mkdirs(caDir);
        // A private swtpm_localca: the packaged defaults write to a system state dir owned by tss.
        write(caDir.resolve("localca.conf"), ("statedir = " + caDir + "\n"
                + "signingkey = " + caDir.resolve("signkey.pem") + "\n"
                + "issuercert = " + caDir.resolve("issuercert.pem") + "\n"
                + "certserial = " + caDir.resolve("certserial") + "\n").getBytes(StandardCharsets.UTF_8));
        write(caDir.resolve("localca.options"),
                "--platform-manufacturer TestVendor\n--platform-version 1.0\n--platform-model TestHSM\n"
                        .getBytes(StandardCharsets.UTF_8));
        write(caDir.resolve("setup.conf"), ("create_certs_tool = swtpm_localca\n"
                + "create_certs_tool_config = " + caDir.resolve("localca.conf") + "\n"
                + "create_certs_tool_options = " + caDir.resolve("localca.options") + "\n"
                + "active_pcr_banks = sha256\n").getBytes(StandardCharsets.UTF_8));
    }

    private ProvisionedTpm provision(int index, AkAlgorithm akAlg) {
        Path dir = work.resolve("tpm" + index);
        Path state = dir.resolve("state");
        mkdirs(state);
        run(dir, Map.of(), "swtpm_setup", "--tpm2", "--tpmstate", state.toString(), "--config",
                caDir.resolve("setup.conf").toString(), "--create-ek-cert", "--lock-nvram", "--pcr-banks", "sha256");
        if (rootDer == null) {
            rootDer = pemToDer(caDir.resolve("swtpm-localca-rootca-cert.pem"));
            intermediateDer = pemToDer(caDir.resolve("issuercert.pem"));
        }
        int port = startSwtpm(dir, state);
        String tcti = "swtpm:host=127.0.0.1,port=" + port;
        ProvisionedTpm partial = new ProvisionedTpm(index, port, port + 1, tcti, dir, null, null, null, null, null,
                null, null, null);
        tool(partial, dir, "tpm2_nvread", EK_CERT_NV_INDEX, "-C", "o", "-o", "ek.der");
        tool(partial, dir, "tpm2_readpublic", "-c", EK_HANDLE, "-f", "tss", "-o", "ek.pub");
        tool(partial, dir, "tpm2_createak", "-C", EK_HANDLE, "-c", "ak.ctx", "-G", akAlg.keyAlg, "-g", "sha256",
                "-s", akAlg.scheme, "-u", "ak.pub", "-f", "tss", "-n", "ak.name");
        tool(partial, dir, "tpm2_flushcontext", "-t");
        tool(partial, dir, "tpm2_evictcontrol", "-C", "o", "-c", "ak.ctx", AK_HANDLE);
        tool(partial, dir, "tpm2_flushcontext", "-t");
        tool(partial, dir, "tpm2_createprimary", "-C", "o", "-g", "sha256", "-G", "ecc", "-c", "primary.ctx");
        tool(partial, dir, "tpm2_create", "-C", "primary.ctx", "-G", "ecc256:ecdsa-sha256", "-g", "sha256",
                "-a", "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign",
                "-u", "node.pub", "-r", "node.priv", "-c", "node.ctx");
        // tpm2_create leaves the primary and the new key loaded: free the slots before loading again.
        tool(partial, dir, "tpm2_flushcontext", "-t");
        tool(partial, dir, "tpm2_evictcontrol", "-C", "o", "-c", "node.ctx", NODE_KEY_HANDLE);
        tool(partial, dir, "tpm2_flushcontext", "-t");
        tool(partial, dir, "tpm2_certify", "-c", NODE_KEY_HANDLE, "-C", AK_HANDLE, "-g", "sha256",
                "-o", "certify.attest", "-s", "certify.sig", "-f", "tss");
        tool(partial, dir, "tpm2_flushcontext", "-t");
        return new ProvisionedTpm(index, port, port + 1, tcti, dir, read(dir.resolve("ek.der")),
                intermediateDer.clone(), rootDer.clone(), unwrapTpm2b(read(dir.resolve("ek.pub"))),
                unwrapTpm2b(read(dir.resolve("ak.pub"))), unwrapTpm2b(read(dir.resolve("node.pub"))),
                read(dir.resolve("certify.attest")), read(dir.resolve("certify.sig")));
    }

    /** Starts swtpm on a free port pair, retrying if another process takes the ports first. */
    private int startSwtpm(Path dir, Path state) {
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = freePortPair();
            ProcessBuilder pb = new ProcessBuilder("swtpm", "socket", "--tpm2",
                    "--tpmstate", "dir=" + state,
                    "--server", "type=tcp,port=" + port + ",bindaddr=127.0.0.1",
                    "--ctrl", "type=tcp,port=" + (port + 1) + ",bindaddr=127.0.0.1",
                    "--flags", "not-need-init,startup-clear",
                    "--log", "file=" + dir.resolve("swtpm.log") + ",level=1")
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("swtpm.out").toFile());
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot run swtpm (scripts/install-deps.sh installs it)", e);
            }
            processes.add(p);
            if (awaitListening(p, port + 1) && awaitListening(p, port)) {
                return port;
            }
            p.destroyForcibly();
            last = new IllegalStateException("swtpm did not listen on " + port + ": " + tail(dir.resolve("swtpm.out")));
        }
        throw last;
    }

    private static boolean awaitListening(Process p, int port) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                return false;
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return true;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }

    private static int freePortPair() {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = a.getLocalPort();
                if (port >= 65535) {
                    continue;
                }
                try (ServerSocket b = new ServerSocket(port + 1, 1, InetAddress.getLoopbackAddress())) {
                    return port;
                } catch (IOException taken) {
                    // try another pair
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no free loopback port pair");
    }

    private void tool(ProvisionedTpm tpm, Path dir, String... cmd) {
        run(dir, Map.of("TPM2TOOLS_TCTI", tpm.tcti()), cmd);
    }

    private static void run(Path dir, Map<String, String> env, String... cmd) {
        int rc = exec(dir, env, List.of(cmd), cmd[0]);
        if (rc != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited " + rc + ": "
                    + tail(dir.resolve(cmd[0] + ".log")));
        }
    }

    private static int exec(Path dir, Map<String, String> env, List<String> cmd, String logName) {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(logName + ".log").toFile());
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            if (!p.waitFor(TOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException(String.join(" ", cmd) + " timed out");
            }
            return p.exitValue();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd.get(0)
                    + " (scripts/install-deps.sh installs swtpm, swtpm-tools, tpm2-tools)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + cmd.get(0), e);
        }
    }

    /** Drops the UINT16 size of a TPM2B_PUBLIC written by {@code -f tss}. */
    private static byte[] unwrapTpm2b(byte[] tpm2b) {
        int size = ((tpm2b[0] & 0xff) << 8) | (tpm2b[1] & 0xff);
        if (size != tpm2b.length - 2) {
            throw new IllegalStateException("TPM2B size " + size + " for " + (tpm2b.length - 2) + " bytes");
        }
        return Arrays.copyOfRange(tpm2b, 2, tpm2b.length);
    }

    private static byte[] pemToDer(Path pem) {
        String text = new String(read(pem), StandardCharsets.US_ASCII);
        int begin = text.indexOf("-----BEGIN CERTIFICATE-----");
        int end = text.indexOf("-----END CERTIFICATE-----");
        if (begin < 0 || end < begin) {
            throw new IllegalStateException(pem + " holds no certificate");
        }
        String body = text.substring(begin + "-----BEGIN CERTIFICATE-----".length(), end);
        return Base64.getMimeDecoder().decode(body);
    }

    private static String tail(Path log) {
        try {
            String s = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path p, byte[] data) {
        try {
            Files.write(p, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void mkdirs(Path p) {
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Leftover temp files are harmless; processes are what must not leak.
        }
    }
}
