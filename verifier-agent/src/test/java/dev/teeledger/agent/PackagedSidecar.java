package dev.teeledger.agent;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged tpm-sidecar ({@code tpm-sidecar/target/quarkus-app/quarkus-run.jar}) as a child
 * process, configured with {@code -D} properties ({@code docs/tpm-sidecar.md}), on a free
 * loopback port. {@link #awaitReady} polls {@code /q/health/ready}; {@link #close} stops exactly
 * this process (by its handle), forcibly if it does not exit within 10 s.
 */
final class PackagedSidecar implements AutoCloseable {
    static final Path JAR = Path.of("..", "tpm-sidecar", "target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().normalize();

    private final Process process;
    private final URI uri;
    private final Path log;

    /** Starts the sidecar; {@code properties} are passed as {@code -Dkey=value} (quarkus.http.port is set here). */
    PackagedSidecar(Path dir, Map<String, String> properties) throws IOException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException("packaged tpm-sidecar missing at " + JAR + ": build the reactor first");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        uri = URI.create("http://127.0.0.1:" + port);
        Files.createDirectories(dir);
        log = dir.resolve("sidecar.log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1", "-Dquarkus.http.port=" + port,
                "-Dteeledger.sidecar.endpoint=" + uri));
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", JAR.toString()));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    URI uri() {
        return uri;
    }

    /** Waits until readiness answers 200 (TPM reachable, identity provisioned). */
    void awaitReady(Duration timeout) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri.resolve("/q/health/ready"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("sidecar at " + uri + " not ready (alive=" + process.isAlive() + "); log:\n"
                + (Files.exists(log) ? Files.readString(log) : ""));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
