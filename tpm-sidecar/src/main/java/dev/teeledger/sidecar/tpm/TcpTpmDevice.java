package dev.teeledger.sidecar.tpm;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import tss.TpmDevice;
import tss.TpmException;

/**
 * A TSS.Java device for a TPM reached over TCP in the Microsoft simulator framing, as swtpm's
 * data port speaks it: {@code u32 8 (SendCommand) | u8 locality | u32 length | command}, answered
 * by {@code u32 length | response | u32 0}. Used instead of TSS.Java's {@code TpmDeviceTcp}
 * because that class (1.0.0) connects without a timeout, reads without one, loops forever when
 * the peer closes mid-response (its read loop adds the -1 of EOF to the byte count), and always
 * opens the platform signal socket, which swtpm answers in its own control protocol.
 *
 * <p>Every socket operation is bounded: connect by {@code connectTimeout}, each read by
 * {@code ioTimeout}; EOF, a reset or a timeout becomes a {@link TpmException} whose
 * {@code ResponseCode} is null, which {@link TpmSession} reports as an unreachable TPM. Not
 * thread-safe; {@link TpmSession} owns one instance at a time.
 */
public final class TcpTpmDevice extends TpmDevice {

    /** MS simulator TCP command codes (TPM simulator's TcpServer.h). */
    private static final int SEND_COMMAND = 8;
    private static final int SESSION_END = 20;
    /** Upper bound on one response; TPM 2.0 responses stay below MAX_RESPONSE_SIZE (4 KiB on PC TPMs). */
    private static final int MAX_RESPONSE = 64 * 1024;

    private final String host;
    private final int port;
    private final int connectTimeoutMillis;
    private final int ioTimeoutMillis;
    private Socket socket;
    private DataInputStream in;
    private OutputStream out;
    private boolean pending;

    public TcpTpmDevice(String host, int port, Duration connectTimeout, Duration ioTimeout) {
        this.host = host;
        this.port = port;
        this.connectTimeoutMillis = (int) Math.max(1, connectTimeout.toMillis());
        this.ioTimeoutMillis = (int) Math.max(1, ioTimeout.toMillis());
    }

    @Override
    public boolean connect() {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
            s.setSoTimeout(ioTimeoutMillis);
            s.setTcpNoDelay(true);
            in = new DataInputStream(s.getInputStream());
            out = s.getOutputStream();
            socket = s;
            return true;
        } catch (IOException e) {
            closeQuietly(s);
            throw new TpmException("cannot reach the TPM at " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void dispatchCommand(byte[] command) {
        requireOpen();
        ByteBuffer frame = ByteBuffer.allocate(9 + command.length);
        frame.putInt(SEND_COMMAND).put((byte) 0).putInt(command.length).put(command);
        try {
            out.write(frame.array());
            out.flush();
            pending = true;
        } catch (IOException e) {
            throw broken("sending a command", e);
        }
    }

    @Override
    public byte[] getResponse() {
        requireOpen();
        if (!pending) {
            throw new TpmException("getResponse() without a dispatched command");
        }
        pending = false;
        try {
            int length = in.readInt();
            if (length < 10 || length > MAX_RESPONSE) {
                throw new TpmException("TPM response length " + length + " out of range");
            }
            byte[] response = new byte[length];
            in.readFully(response);
            int trailer = in.readInt();
            if (trailer != 0) {
                throw new TpmException("TPM response trailer " + trailer + " is not 0");
            }
            return response;
        } catch (SocketTimeoutException e) {
            throw broken("no response within " + ioTimeoutMillis + " ms", e);
        } catch (EOFException e) {
            throw broken("the TPM closed the connection", e);
        } catch (IOException e) {
            throw broken("reading the response", e);
        }
    }

    @Override
    public boolean responseReady() {
        requireOpen();
        try {
            return in.available() > 0;
        } catch (IOException e) {
            throw broken("polling", e);
        }
    }

    @Override
    public void close() {
        Socket s = socket;
        socket = null;
        if (s == null) {
            return;
        }
        try {
            // Tells the simulator this client is done; best effort, the socket closes anyway.
            s.getOutputStream().write(ByteBuffer.allocate(4).putInt(SESSION_END).array());
        } catch (IOException ignored) {
            // already broken
        }
        closeQuietly(s);
    }

    private void requireOpen() {
        if (socket == null) {
            throw new TpmException("TPM connection to " + host + ":" + port + " is closed");
        }
    }

    private TpmException broken(String what, IOException e) {
        close();
        return new TpmException("TPM at " + host + ":" + port + ": " + what + " (" + e.getMessage() + ")", e);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
