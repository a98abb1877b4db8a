package dev.teeledger.registry.service;

import dev.teeledger.chain.light.VerifiedQueryClient.VerifiedValue;
import dev.teeledger.protocol.state.v1.FirmwareRecord;
import dev.teeledger.protocol.state.v1.HsmRecord;
import dev.teeledger.protocol.state.v1.ManufacturerRecord;
import dev.teeledger.registry.service.Views.Firmware;
import dev.teeledger.registry.service.Views.Hsm;
import dev.teeledger.registry.service.Views.Manufacturer;
import dev.teeledger.service.common.ChainClients;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * {@code ?verified=true} reads: the record straight from the chain through the light client
 * (Merkle proof against a header signed by the pinned validators, docs/registry.md "Keys and
 * queries"), mapped to the same view as the read model with {@code source=chain}. A key proven
 * absent is empty (404); an answer that fails verification is a 502 problem, an unreachable
 * node 503, and no configured light client 503.
 */
@ApplicationScoped
public class VerifiedReads {
    private static final HexFormat HEX = HexFormat.of();
    private final ChainClients chain;

    public VerifiedReads(ChainClients chain) {
        this.chain = chain;
    }

    public Optional<Manufacturer> manufacturer(String id) {
        return query("/manufacturer/" + id, "mfr/" + id).map(v -> {
            ManufacturerRecord m = parse(() -> ManufacturerRecord.parseFrom(v.value()));
            String status = m.getRevokedHeight() == 0 ? "ACTIVE" : "REVOKED";
            return new Manufacturer(HEX.formatHex(m.getId().toByteArray()), m.getName(), m.getSubject(), status,
                    m.getAddedHeight(), m.getRevokedHeight() == 0 ? null : m.getRevokedHeight(),
                    m.getRevokeReason().isEmpty() ? null : m.getRevokeReason(), "chain", v.height());
        });
    }

    public Optional<Firmware> firmware(String sha256) {
        return query("/firmware/" + sha256, "fw/" + sha256).map(v -> {
            FirmwareRecord f = parse(() -> FirmwareRecord.parseFrom(v.value()));
            return new Firmware(HEX.formatHex(f.getSha256().toByteArray()), f.getComponent(), f.getVersion(),
                    f.getValidFromHeight(), f.getValidUntilHeight(), f.getApprovedHeight(),
                    f.getRetiredHeight() == 0 ? null : f.getRetiredHeight(),
                    f.getRetireReason().isEmpty() ? null : f.getRetireReason(), null, "chain", v.height());
        });
    }

    public Optional<Hsm> hsm(String id) {
        return query("/hsm/" + id, "hsm/rec/" + id).map(v -> {
            HsmRecord h = parse(() -> HsmRecord.parseFrom(v.value()));
            return new Hsm(HEX.formatHex(h.getHsmId().toByteArray()), HEX.formatHex(h.getManufacturerId().toByteArray()),
                    ReadModelStore.state(h.getState().name()), h.getSidecarEndpoint(), h.getJoinedHeight(),
                    h.getStateHeight(), h.getStateReason().isEmpty() ? null : h.getStateReason(), List.of(), "chain", v.height());
        });
    }

    private Optional<VerifiedValue> query(String path, String key) {
        return chain.proven(path, key);
    }

    private static <T> T parse(ChainClients.RecordParser<T> p) {
        return ChainClients.parseProven(p);
    }
}
