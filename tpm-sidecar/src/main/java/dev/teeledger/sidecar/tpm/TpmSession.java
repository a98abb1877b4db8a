package dev.teeledger.sidecar.tpm;

import dev.teeledger.sidecar.tpm.SidecarException.Reason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import tss.Tpm;
import tss.TpmDevice;
import tss.TpmException;
import tss.tpm.GetCapabilityResponse;
import tss.tpm.TPML_HANDLE;
import tss.tpm.TPM_CAP;
import tss.tpm.TPM_HANDLE;
import tss.tpm.TPM_HT;

/**
 * The one path to the TPM: every operation runs on a single worker thread, one at a time, so
 * commands never interleave; each caller waits at most the call timeout (queueing included) and
 * gets a {@link SidecarException} instead of a hang. Every transient object and session an
 * operation registers with {@link Context#track} is flushed when it ends, successful or not,
 * because swtpm has no resource manager and only three object slots.
 *
 * <p>The connection is opened lazily and re-opened after any I/O failure or timeout; on each new
 * connection, transient objects and sessions left by an earlier process are flushed (on
 * {@code /dev/tpmrm0} the kernel shows us only our own, so this is harmless there). Thread-safe.
 */
public final class TpmSession implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TpmSession.class.getName());

    /** One TPM operation; runs on the worker thread with exclusive use of the TPM. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Context ctx) throws SidecarException;
    }

    /** What a {@link Work} may use: the TSS.Java client, handle tracking, the raw last response. */
    public final class Context {
        private final List<TPM_HANDLE> tracked = new ArrayList<>();

        private Context() {}

        /** The connected TSS.Java client. */
        public Tpm tpm() {
            return tpm;
        }

        /** Registers a transient object or session handle to flush when the operation ends. */
        public TPM_HANDLE track(TPM_HANDLE handle) {
            tracked.add(handle);
            return handle;
        }

        /** Flushes a tracked handle now (to free its slot before loading another object). */
        public void flush(TPM_HANDLE handle) {
            if (tracked.remove(handle)) {
                tpm.FlushContext(handle);
            }
        }

        /** The raw bytes of the last TPM response (header included), for exact signed structures. */
        public byte[] lastResponse() {
            return device.lastResponse().clone();
        }
    }

    private final TpmConnector connector;
    private final Duration callTimeout;
    private final TpmCallObserver observer;
    private final ExecutorService worker;
    // Owned by the worker thread; volatile so a timed-out caller can close the device.
    private volatile TappedDevice device;
    private Tpm tpm;
    private volatile boolean closed;

    public TpmSession(TpmConnector connector, Duration callTimeout, TpmCallObserver observer) {
        this.connector = connector;
        this.callTimeout = callTimeout;
        this.observer = observer;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "tpm-worker");
            t.setDaemon(true);
            return t;
        });
    }

    /** Where the TPM is, for logs and health output. */
    public String describe() {
        return connector.describe();
    }

    /**
     * Runs {@code work} with exclusive use of the TPM.
     *
     * @param operation name for metrics and messages
     * @throws SidecarException TPM_UNAVAILABLE (cannot connect, I/O failure), TIMEOUT (no answer
     *                          within the call timeout), TPM_ERROR (the TPM refused a command), or
     *                          whatever {@code work} throws itself
     */
    public <T> T call(String operation, Work<T> work) throws SidecarException {
        return call(operation, callTimeout, work);
    }

    /**
     * As {@link #call(String, Work)} with its own timeout, e.g. a short one for health probes.
     * A call that times out while still queued is withdrawn and leaves the connection alone; one
     * that times out while talking to the TPM closes the connection.
     */
    public <T> T call(String operation, Duration timeout, Work<T> work) throws SidecarException {
        long start = System.nanoTime();
        String outcome = "ok";
        int rc = 0;
        try {
            return submit(operation, timeout, work);
        } catch (SidecarException e) {
            outcome = e.reason().name().toLowerCase(Locale.ROOT);
            rc = e.tpmResponseCode();
            throw e;
        } finally {
            observer.completed(operation, System.nanoTime() - start, outcome, rc);
        }
    }

    private <T> T submit(String operation, Duration timeout, Work<T> work) throws SidecarException {
        if (closed) {
            throw new SidecarException(Reason.TPM_UNAVAILABLE, "the TPM session is closed");
        }
        AtomicBoolean started = new AtomicBoolean();
        Future<T> future;
        try {
            future = worker.submit(() -> {
                started.set(true);
                return runOnWorker(operation, work);
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new SidecarException(Reason.TPM_UNAVAILABLE, "the TPM session is closed");
        }
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            if (!started.get()) {
                throw new SidecarException(Reason.TIMEOUT, operation + ": still queued behind other TPM calls after "
                        + timeout.toMillis() + " ms");
            }
            // Closing the socket unblocks a worker stuck in a read; the next call reconnects.
            TappedDevice d = device;
            if (d != null) {
                d.close();
            }
            throw new SidecarException(Reason.TIMEOUT,
                    operation + ": the TPM (" + connector.describe() + ") did not answer within " + timeout.toMillis() + " ms");
        } catch (CancellationException e) {
            throw new SidecarException(Reason.TPM_UNAVAILABLE, operation + ": cancelled");
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new SidecarException(Reason.TPM_UNAVAILABLE, operation + ": interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SidecarException se) {
                throw se;
            }
            throw new SidecarException(Reason.TPM_UNAVAILABLE, operation + ": " + cause, cause);
        }
    }

    private <T> T runOnWorker(String operation, Work<T> work) throws SidecarException {
        if (tpm == null || device == null) {
            connect(operation);
        }
        Context ctx = new Context();
        try {
            return work.run(ctx);
        } catch (TpmException e) {
            throw translate(operation, e);
        } catch (RuntimeException e) {
            // TSS.Java reports malformed responses and I/O faults as assorted runtime exceptions.
            disconnect();
            throw new SidecarException(Reason.TPM_UNAVAILABLE, operation + ": " + e, e);
        } finally {
            flushAll(ctx.tracked);
        }
    }

    private void connect(String operation) throws SidecarException {
        TpmDevice raw;
        try {
            raw = connector.open();
        } catch (RuntimeException e) {
            throw new SidecarException(Reason.TPM_UNAVAILABLE,
                    operation + ": TPM " + connector.describe() + " unreachable: " + e.getMessage(), e);
        }
        TappedDevice tapped = new TappedDevice(raw);
        Tpm client = new Tpm();
        client._setDevice(tapped);
        this.device = tapped;
        this.tpm = client;
        try {
            flushLeftovers();
        } catch (TpmException e) {
            throw translate(operation, e);
        } catch (RuntimeException e) {
            disconnect();
            throw new SidecarException(Reason.TPM_UNAVAILABLE, operation + ": " + e, e);
        }
    }

    /** Transient objects and sessions of a crashed earlier run would hold swtpm's few slots. */
    private void flushLeftovers() {
        for (TPM_HT type : new TPM_HT[] {TPM_HT.TRANSIENT, TPM_HT.LOADED_SESSION, TPM_HT.POLICY_SESSION}) {
            GetCapabilityResponse caps = tpm.GetCapability(TPM_CAP.HANDLES, type.toInt() << 24, 64);
            for (TPM_HANDLE h : ((TPML_HANDLE) caps.capabilityData).handle) {
                tpm.FlushContext(h);
            }
        }
    }

    private SidecarException translate(String operation, TpmException e) {
        if (e.ResponseCode != null && e.EncodedError != 0) {
            return new SidecarException(Reason.TPM_ERROR, String.format("%s: the TPM returned 0x%03X (TPM_RC_%s)",
                    operation, e.EncodedError, e.ResponseCode.name()), e.EncodedError, e);
        }
        disconnect();
        return new SidecarException(Reason.TPM_UNAVAILABLE,
                operation + ": TPM " + connector.describe() + ": " + e.getMessage(), e);
    }

    private void flushAll(List<TPM_HANDLE> handles) {
        if (handles.isEmpty() || tpm == null) {
            return;
        }
        for (TPM_HANDLE h : handles) {
            try {
                tpm.FlushContext(h);
            } catch (TpmException e) {
                if (e.ResponseCode == null || e.EncodedError == 0) {
                    LOG.log(Level.FINE, "flush of 0x" + Integer.toHexString(h.handle) + " failed", e);
                    disconnect();
                    return;
                }
                // The TPM answered: the handle is already gone (a session ended with its command).
            } catch (RuntimeException e) {
                // A broken connection takes the handle with it; a live one is flushed on reconnect.
                LOG.log(Level.FINE, "flush of 0x" + Integer.toHexString(h.handle) + " failed", e);
                disconnect();
                return;
            }
        }
        handles.clear();
    }

    private void disconnect() {
        TappedDevice d = device;
        device = null;
        tpm = null;
        if (d != null) {
            d.close();
        }
    }

    /** Drops the connection so the next call reconnects (after a TPM restart, for example). */
    public void reconnect() {
        try {
            worker.submit(this::disconnect).get(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            TappedDevice d = device;
            if (d != null) {
                d.close();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            worker.submit(this::disconnect);
        } catch (java.util.concurrent.RejectedExecutionException ignored) {
            // already shut down
        }
        worker.shutdown();
        try {
            if (!worker.awaitTermination(callTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
