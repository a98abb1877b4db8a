package dev.teeledger.registry.service;

import dev.teeledger.registry.service.v1.Firmware;
import dev.teeledger.registry.service.v1.FirmwareList;
import dev.teeledger.registry.service.v1.GetRequest;
import dev.teeledger.registry.service.v1.GetTransactionRequest;
import dev.teeledger.registry.service.v1.Hsm;
import dev.teeledger.registry.service.v1.HsmPage;
import dev.teeledger.registry.service.v1.ListFirmwareRequest;
import dev.teeledger.registry.service.v1.ListHsmsRequest;
import dev.teeledger.registry.service.v1.ListManufacturersRequest;
import dev.teeledger.registry.service.v1.Manufacturer;
import dev.teeledger.registry.service.v1.ManufacturerList;
import dev.teeledger.registry.service.v1.RegistryService;
import dev.teeledger.registry.service.v1.Submission;
import dev.teeledger.registry.service.v1.SubmitTransactionRequest;
import dev.teeledger.service.common.GrpcProblems;
import dev.teeledger.service.common.Ids;
import dev.teeledger.service.common.PageRequest;
import dev.teeledger.service.common.QueryParams;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import java.util.function.Supplier;

/**
 * The gRPC API {@code teeledger.registry.service.v1.RegistryService}, on the HTTP port
 * ({@code quarkus.grpc.server.use-separate-server=false}). Reads go through
 * {@link RegistryResource} and submissions through {@link TransactionResource#accept}, so both
 * APIs validate, verify and count alike; problems become gRPC statuses with
 * {@link GrpcProblems}. Absent optional values are empty strings and 0 (heights start at 1).
 * Blocking (JDBC and chain RPC), so every method runs on a worker thread.
 */
@GrpcService
public class RegistryGrpcService implements RegistryService {
    private final RegistryResource reads;
    private final TransactionResource transactions;
    private final ReadModelStore store;

    public RegistryGrpcService(RegistryResource reads, TransactionResource transactions, ReadModelStore store) {
        this.reads = reads;
        this.transactions = transactions;
        this.store = store;
    }

    private static <T> Uni<T> call(Supplier<T> body) {
        return Uni.createFrom().item(() -> GrpcProblems.call(body));
    }

    @Override
    @Blocking
    public Uni<Manufacturer> getManufacturer(GetRequest request) {
        return call(() -> toProto(reads.manufacturer(request.getId(), flag(request.getVerified()))));
    }

    @Override
    @Blocking
    public Uni<ManufacturerList> listManufacturers(ListManufacturersRequest request) {
        return call(() -> {
            Views.Listing<Views.Manufacturer> l = reads.manufacturers();
            ManufacturerList.Builder out = ManufacturerList.newBuilder().setIndexedHeight(l.indexedHeight());
            l.items().forEach(m -> out.addItems(toProto(m)));
            return out.build();
        });
    }

    @Override
    @Blocking
    public Uni<Hsm> getHsm(GetRequest request) {
        return call(() -> toProto(reads.hsm(request.getId(), flag(request.getVerified()))));
    }

    @Override
    @Blocking
    public Uni<HsmPage> listHsms(ListHsmsRequest request) {
        return call(() -> {
            String state = QueryParams.enumFilter("state", blankToNull(request.getState()), RegistryResource.STATES);
            String mfr = request.getManufacturer().isEmpty() ? null : Ids.hex64("manufacturer", request.getManufacturer());
            PageRequest page = PageRequest.of(request.getPage(), request.getSize());
            Views.Page<Views.Hsm> p = store.hsms(state, mfr, page.page(), page.size());
            HsmPage.Builder out = HsmPage.newBuilder().setPage(p.page()).setSize(p.size()).setTotal(p.total())
                    .setIndexedHeight(p.indexedHeight());
            p.items().forEach(h -> out.addItems(toProto(h)));
            return out.build();
        });
    }

    @Override
    @Blocking
    public Uni<FirmwareList> listFirmware(ListFirmwareRequest request) {
        return call(() -> {
            Views.Listing<Views.Firmware> l = reads.firmware();
            FirmwareList.Builder out = FirmwareList.newBuilder().setIndexedHeight(l.indexedHeight());
            l.items().forEach(f -> out.addItems(toProto(f)));
            return out.build();
        });
    }

    @Override
    @Blocking
    public Uni<Submission> submitTransaction(SubmitTransactionRequest request) {
        return call(() -> toProto(transactions.accept(request.getTx().toByteArray())));
    }

    @Override
    @Blocking
    public Uni<Submission> getTransaction(GetTransactionRequest request) {
        return call(() -> toProto(transactions.track(request.getHash())));
    }

    // --- mapping; proto3 strings cannot be null, so absent values become "" and 0 ---

    private static String flag(boolean verified) {
        return verified ? "true" : null;
    }

    private static String blankToNull(String s) {
        return s.isEmpty() ? null : s;
    }

    private static String str(String s) {
        return s == null ? "" : s;
    }

    private static long num(Long v) {
        return v == null ? 0 : v;
    }

    static Manufacturer toProto(Views.Manufacturer m) {
        return Manufacturer.newBuilder().setId(m.id()).setName(str(m.name())).setSubject(str(m.subject()))
                .setStatus(str(m.status())).setAddedHeight(m.addedHeight()).setRevokedHeight(num(m.revokedHeight()))
                .setRevokeReason(str(m.revokeReason())).setSource(str(m.source())).setVerifiedHeight(num(m.verifiedHeight()))
                .build();
    }

    static Hsm toProto(Views.Hsm h) {
        Hsm.Builder b = Hsm.newBuilder().setId(h.id()).setManufacturerId(str(h.manufacturerId())).setState(str(h.state()))
                .setEndpoint(str(h.endpoint())).setJoinedHeight(h.joinedHeight()).setStateHeight(h.stateHeight())
                .setStateReason(str(h.stateReason())).setSource(str(h.source())).setVerifiedHeight(num(h.verifiedHeight()));
        if (h.firmware() != null) {
            b.addAllFirmware(h.firmware());
        }
        return b.build();
    }

    static Firmware toProto(Views.Firmware f) {
        return Firmware.newBuilder().setSha256(f.sha256()).setComponent(str(f.component())).setVersion(str(f.version()))
                .setValidFromHeight(f.validFromHeight()).setValidUntilHeight(f.validUntilHeight())
                .setApprovedHeight(f.approvedHeight()).setRetiredHeight(num(f.retiredHeight()))
                .setRetireReason(str(f.retireReason())).setExpiredHeight(num(f.expiredHeight())).setSource(str(f.source()))
                .setVerifiedHeight(num(f.verifiedHeight())).build();
    }

    static Submission toProto(Views.Submission s) {
        Submission.Builder b = Submission.newBuilder().setHash(s.hash()).setType(str(s.type())).setStatus(s.status())
                .setCodespace(str(s.codespace())).setLog(str(s.log())).setHeight(num(s.height()));
        if (s.code() != null) {
            b.setHasCode(true).setCode(s.code());
        }
        return b.build();
    }
}
