package dev.teeledger.sidecar.tpm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import tss.TpmException;

/**
 * The TCP device against a scripted fake simulator: the MS framing, and the failure modes that
 * make TSS.Java's own TpmDeviceTcp hang (peer closing mid-response, peer never answering).
 */
class TcpTpmDeviceTest {

    private static final byte[] GET_RANDOM = {(byte) 0x80, 1, 0, 0, 0, 12, 0, 0, 1, 0x7b, 0, 8};

    @FunctionalInterface
    private interface Script {
        void serve(DataInputStream in, DataOutputStream out) throws Exception;
    }

    private static CompletableFuture<Void> fake(ServerSocket server, Script script) {
        return CompletableFuture.runAsync(() -> {
            try (Socket s = server.accept()) {
                script.serve(new DataInputStream(s.getInputStream()), new DataOutputStream(s.getOutputStream()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static byte[] readCommand(DataInputStream in) throws Exception {
        assertThat(in.readInt()).isEqualTo(8); // TPM_SEND_COMMAND
        assertThat(in.readByte()).isEqualTo((byte) 0); // locality 0
        byte[] cmd = new byte[in.readInt()];
        in.readFully(cmd);
        return cmd;
    }

    @Test
    void framesCommandsAndResponsesTheWaySwtpmExpects() throws Exception {
        byte[] response = {(byte) 0x80, 1, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0};
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> peer = fake(server, (in, out) -> {
                assertThat(readCommand(in)).isEqualTo(GET_RANDOM);
                out.writeInt(response.length);
                out.write(response);
                out.writeInt(0);
            });
            TcpTpmDevice device = new TcpTpmDevice("127.0.0.1", server.getLocalPort(), Duration.ofSeconds(1),
                    Duration.ofSeconds(2));
            device.connect();
            device.dispatchCommand(GET_RANDOM);
            assertThat(device.getResponse()).isEqualTo(response);
            device.close();
            peer.get();
        }
    }

    @Test
    void failsFastWhenThePeerClosesMidResponse() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            fake(server, (in, out) -> {
                readCommand(in);
                out.writeInt(100);
                out.write(new byte[10]);
            });
            TcpTpmDevice device = new TcpTpmDevice("127.0.0.1", server.getLocalPort(), Duration.ofSeconds(1),
                    Duration.ofSeconds(5));
            device.connect();
            device.dispatchCommand(GET_RANDOM);
            long t0 = System.nanoTime();
            assertThatThrownBy(device::getResponse).isInstanceOf(TpmException.class)
                    .hasMessageContaining("closed the connection");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    void timesOutWhenThePeerNeverAnswers() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> peer = fake(server, (in, out) -> {
                readCommand(in);
                Thread.sleep(1500);
            });
            TcpTpmDevice device = new TcpTpmDevice("127.0.0.1", server.getLocalPort(), Duration.ofSeconds(1),
                    Duration.ofMillis(300));
            device.connect();
            device.dispatchCommand(GET_RANDOM);
            assertThatThrownBy(device::getResponse).isInstanceOf(TpmException.class)
                    .hasMessageContaining("no response within 300 ms");
            peer.get();
        }
    }

    @Test
    void reportsARefusedConnection() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        TcpTpmDevice device = new TcpTpmDevice("127.0.0.1", port, Duration.ofMillis(500), Duration.ofSeconds(1));
        assertThatThrownBy(device::connect).isInstanceOf(TpmException.class)
                .hasMessageContaining("cannot reach the TPM at 127.0.0.1:" + port);
    }
}
