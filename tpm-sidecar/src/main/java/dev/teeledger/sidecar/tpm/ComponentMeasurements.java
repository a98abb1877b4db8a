package dev.teeledger.sidecar.tpm;

import dev.teeledger.protocol.tpm.MeasurementLog;
import dev.teeledger.protocol.tpm.TpmEvidenceException;
import dev.teeledger.sidecar.tpm.SidecarException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import tss.Tpm;
import tss.tpm.PCR_ReadResponse;
import tss.tpm.TPMS_PCR_SELECTION;
import tss.tpm.TPMT_HA;
import tss.tpm.TPM_ALG_ID;
import tss.tpm.TPM_HANDLE;

/**
 * Measured components: at start the configured files are hashed (SHA-256) and extended into the
 * measurement PCR with TPM2_PCR_Extend, each recorded in a {@link MeasurementLog} that a verifier
 * replays against the quoted pcrDigest. The log is kept in the state directory, written before
 * each extend, so a restarted sidecar finds the log that explains the PCR: the longest prefix of
 * the saved log whose replay equals the PCR's current value is believed (an entry written but
 * never extended is dropped). After a TPM reset or restart the PCR is back at its reset value and
 * everything is measured again.
 *
 * <p>{@link #ensure} runs on the TPM worker (inside {@link TpmSession#call}) before every quote, so
 * the returned log always replays to the PCR the quote covers. If the PCR holds a value no log
 * prefix explains (another program extended it, or the state directory was lost), quotes fail
 * with FAILED_PRECONDITION until the next TPM reset: a log that does not replay is useless.
 */
final class ComponentMeasurements {

    static final String LOG_FILE = "measurement.tlml";

    private final int pcr;
    private final List<MeasurementLog.Entry> wanted;
    private final StateFiles files;
    private MeasurementLog log; // confined to the TPM worker thread

    ComponentMeasurements(int pcr, List<NodeTpmConfig.Component> components, StateFiles files) {
        this.pcr = pcr;
        this.files = files;
        List<MeasurementLog.Entry> entries = new ArrayList<>();
        for (NodeTpmConfig.Component c : components) {
            entries.add(new MeasurementLog.Entry(pcr, c.kind(), sha256(c.path()), c.path().getFileName().toString()));
        }
        this.wanted = List.copyOf(entries);
    }

    /** The entries this sidecar measures, in order (digests of the files as read at start). */
    List<MeasurementLog.Entry> wanted() {
        return wanted;
    }

    /** Brings PCR and log into agreement (measuring what is missing) and returns the log. */
    MeasurementLog ensure(Tpm tpm) throws SidecarException {
        if (wanted.isEmpty()) {
            return MeasurementLog.of(List.of()); // nothing measured: the PCR is none of our business
        }
        byte[] value = readPcr(tpm);
        if (log != null && Arrays.equals(log.replay()[pcr], value) && log.entries().containsAll(wanted)) {
            return log;
        }
        MeasurementLog base = explaining(log, value);
        if (base == null) {
            base = explaining(saved(), value);
        }
        if (base == null) {
            if (!Arrays.equals(value, MeasurementLog.initialValue(pcr))) {
                throw new SidecarException(Reason.FAILED_PRECONDITION, "PCR " + pcr
                        + " holds measurements no saved log explains (another program extended it, or the state"
                        + " directory was replaced); quotes cannot verify until the TPM is reset");
            }
            base = MeasurementLog.of(List.of());
        }
        List<MeasurementLog.Entry> entries = new ArrayList<>(base.entries());
        for (MeasurementLog.Entry e : wanted) {
            if (entries.contains(e)) {
                continue;
            }
            entries.add(e);
            save(MeasurementLog.of(entries)); // write-ahead: a crash after this leaves a droppable tail
            tpm.PCR_Extend(TPM_HANDLE.pcr(pcr), new TPMT_HA[] {new TPMT_HA(TPM_ALG_ID.SHA256, e.sha256())});
        }
        MeasurementLog now = MeasurementLog.of(entries);
        save(now);
        log = now;
        return now;
    }

    /** The longest prefix of {@code candidate} whose replay gives {@code value}, or null. */
    private MeasurementLog explaining(MeasurementLog candidate, byte[] value) {
        if (candidate == null) {
            return null;
        }
        List<MeasurementLog.Entry> all = candidate.entries();
        for (int k = all.size(); k >= 0; k--) {
            MeasurementLog prefix = MeasurementLog.of(all.subList(0, k));
            if (Arrays.equals(prefix.replay()[pcr], value)) {
                return prefix;
            }
        }
        return null;
    }

    private MeasurementLog saved() throws SidecarException {
        try {
            byte[] raw = files.readRaw(LOG_FILE);
            return raw == null ? null : MeasurementLog.parse(raw);
        } catch (IOException | TpmEvidenceException e) {
            return null; // an unreadable log explains nothing; the PCR decides what happens
        }
    }

    private void save(MeasurementLog l) throws SidecarException {
        try {
            files.writeRaw(LOG_FILE, l.encode());
        } catch (IOException e) {
            throw new SidecarException(Reason.FAILED_PRECONDITION, "cannot write the measurement log: " + e.getMessage(), e);
        }
    }

    private byte[] readPcr(Tpm tpm) {
        PCR_ReadResponse r = tpm.PCR_Read(new TPMS_PCR_SELECTION[] {new TPMS_PCR_SELECTION(TPM_ALG_ID.SHA256, pcr)});
        if (r.pcrValues.length != 1) {
            throw new tss.TpmException("PCR " + pcr + " has no SHA-256 bank value");
        }
        return r.pcrValues[0].buffer;
    }

    private static byte[] sha256(java.nio.file.Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
            return d.digest();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read measured component " + path, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JRE", e);
        }
    }
}
